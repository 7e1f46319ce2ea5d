"""OpenAPI schema generation tweaks."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema


class AutoSchema(BaseAutoSchema):
    """Name nested input serializers after their view (``CaseAssignApi.Input`` →
    ``CaseAssignInput``), so the many small ``Input`` classes never collide."""

    def get_serializer_name(self, serializer, direction):  # type: ignore[no-untyped-def]
        qualname = type(serializer).__qualname__
        if "." in qualname:
            return qualname.replace("Api.", "").replace(".", "")
        return super().get_serializer_name(serializer, direction)

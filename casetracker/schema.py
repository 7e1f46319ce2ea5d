"""OpenAPI schema generation tweaks."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from rest_framework.generics import GenericAPIView

from .pagination import DefaultPagination


class AutoSchema(BaseAutoSchema):
    """Name nested input serializers after their view (``CaseAssignApi.Input`` →
    ``CaseAssignInput``), so the many small ``Input`` classes never collide.

    Lists are described as they are answered: our API views are plain ``APIView``s that
    page every list through ``casetracker.pagination.paginated_response``, so a list
    response (``many=True``) is the page envelope ``{"count", "next", "previous",
    "results"}`` — of the view's own ``pagination_class`` when it names one, else of
    ``DefaultPagination`` — never a bare array."""

    def get_serializer_name(self, serializer, direction):  # type: ignore[no-untyped-def]
        qualname = type(serializer).__qualname__
        if "." in qualname:
            return qualname.replace("Api.", "").replace(".", "")
        return super().get_serializer_name(serializer, direction)

    def _get_paginator(self):  # type: ignore[no-untyped-def]
        paginator = super()._get_paginator()
        if paginator is None and self.method == "GET" and not isinstance(self.view, GenericAPIView):
            return DefaultPagination()
        return paginator

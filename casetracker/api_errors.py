"""One shape for every API error: ``{"detail": "…"}`` or ``{"field": ["…"]}``, 4xx.

Domain rules raise the exceptions below from services; this handler turns them, and
Django's own ValidationError / PermissionDenied / Http404, into DRF responses so that no
rule violation ever surfaces as a 500.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from casetracker.errors import Conflict


class ConflictError(exceptions.APIException):
    """An action that the object's current state does not allow (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This action is not allowed in the current state.")
    default_code = "conflict"


def django_validation_to_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(
            {field: [str(m) for e in errors for m in e.messages] for field, errors in exc.error_dict.items()}
        )
    return exceptions.ValidationError({"detail": [str(m) for m in exc.messages]})


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = django_validation_to_drf(exc)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Conflict):
        exc = ConflictError(str(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)

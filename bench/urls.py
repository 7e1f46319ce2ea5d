"""The application's URLs plus a "floor" view for the timing script: the same
middleware (session, auth, locale, CSRF, messages, htmx) and nothing else, so the gap
between a page and the floor is the page's own cost."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def floor(request: HttpRequest) -> HttpResponse:
    # Touch the user so the lazy session and user lookups happen, as on every real page.
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


urlpatterns = [
    path("bench/floor", floor, name="bench-floor"),
    path("", include("casetracker.urls")),
]

from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import health

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("cases.api_urls")),
    path("", include("escalation.api_urls")),
    path("", include("knowledge.api_urls")),
    path("", include("inbound.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The vendored Swagger UI boots with an inline script: allowed on this page only.
    path(
        "docs/",
        csp_update({"script-src": ["'self'", "'unsafe-inline'"], "style-src": ["'self'", "'unsafe-inline'"]})(
            SpectacularSwaggerView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", include(api_v1)),
    path("", include("knowledge.urls")),
    path("", include("inbound.urls")),
    path("staff/figures/", include("insights.urls")),
    path("", include("escalation.urls")),
    path("", include("cases.urls")),
]

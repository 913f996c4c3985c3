"""Top-level URLs. API paths are declared once; OptionalSlashMiddleware serves both forms."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from pagila_site.health import health

api_v1 = [
    path("", include("films.urls")),
    path("", include("customers.urls")),
    path("", include("rentals.urls")),
    path("", include("changes.urls")),
    path("ai/", include("ai.urls")),
]

urlpatterns = [
    path("health", health, name="health"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("admin/", admin.site.urls),
]

"""URLs of the films API (mounted under /api/v1/)."""

urlpatterns: list = []

"""URLs of the ai API (mounted under /api/v1/)."""

urlpatterns: list = []

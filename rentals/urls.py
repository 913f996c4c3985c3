"""URLs of the rentals API (mounted under /api/v1/)."""

urlpatterns: list = []

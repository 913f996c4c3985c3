"""URLs of the customers API (mounted under /api/v1/)."""

urlpatterns: list = []

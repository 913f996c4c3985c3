"""Who may call what, whatever the store: a staff user's API token. The store rule built on it
(``WorksForAStore``, every endpoint's default) is the customers app's, beside the scope it asks:
``customers/permissions.py``."""

from rest_framework import permissions


class IsStaffToken(permissions.BasePermission):
    """A request authenticated by a staff user's API token, whatever stores it works for."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff)

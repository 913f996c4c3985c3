"""Who may call what: the contract makes catalogue reads public and everything else staff-only."""

from rest_framework import permissions


class IsStaffToken(permissions.BasePermission):
    """A request authenticated by a staff user's API token."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff)


class PublicReadStaffWrite(IsStaffToken):
    """Anyone may read; writes need a staff token."""

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or super().has_permission(request, view)

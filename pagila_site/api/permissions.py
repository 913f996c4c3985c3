"""Who may call what: the contract makes catalogue reads public and everything else staff-only,
and a staff user's data is limited to the stores it works for (``customers.scope``)."""

from rest_framework import permissions

from customers.scope import scope_of


class IsStaffToken(permissions.BasePermission):
    """A request authenticated by a staff user's API token, whatever stores it works for."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff)


class WorksForAStore(IsStaffToken):
    """A staff token whose user works for at least one store: the default for every endpoint.

    A user neither linked to a staff member nor a superuser would see nothing anywhere, so it is
    refused outright (403 ``no_store``) rather than shown empty lists.
    """

    message = "This account works for no store: link it to a staff member (manage.py staff_account)."
    code = "no_store"

    def has_permission(self, request, view):
        return super().has_permission(request, view) and scope_of(request.user).has_stores


class PublicReadStaffWrite(WorksForAStore):
    """Anyone may read; writes need a staff token that works for a store."""

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or super().has_permission(request, view)

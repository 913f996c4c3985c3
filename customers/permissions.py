"""Who may call what, by store: the contract makes catalogue reads public and everything else
staff-only for a user that works for a store (``customers.scope``). ``WorksForAStore`` is every
endpoint's default (``REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"]``)."""

from rest_framework import permissions

from customers.scope import scope_of
from pagila_site.api.permissions import IsStaffToken


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

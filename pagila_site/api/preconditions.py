"""``If-Match`` on PATCH: a change based on a stale read is refused (412), not applied.

The ETag a client holds is the one ``GET`` answered with: ``ConditionalGetMiddleware`` hashes
the rendered body. :class:`IfMatchMixin` renders the current representation the same way and
compares, inside the PATCH's transaction and with the row locked (``SELECT ... FOR UPDATE``),
so no other write can land between the comparison and the change. Without the header a PATCH
proceeds as before; ``*`` matches any current representation.
"""

from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import set_response_etag
from django.utils.http import parse_etags
from rest_framework import exceptions, status

HEADER = "If-Match"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource changed since that ETag was issued: GET it again and retry."
    default_code = "precondition_failed"


def etag_matches(if_match: str, current: str) -> bool:
    """RFC 9110's strong comparison, which If-Match calls for: a weak ETag never matches."""
    etags = parse_etags(if_match)
    return etags == ["*"] or current in etags


class IfMatchMixin:
    """For viewsets with ``UpdateModelMixin`` whose update serializer represents the object as
    its ``GET`` does (the response of a PATCH is the object's current representation)."""

    _checking_if_match = False

    def update(self, request, *args, **kwargs):
        if HEADER not in request.headers:
            return super().update(request, *args, **kwargs)
        with transaction.atomic():
            self._checking_if_match = True
            try:
                return super().update(request, *args, **kwargs)
            finally:
                self._checking_if_match = False

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self._checking_if_match:
            # get_object()'s query locks the row until the change commits. Only the row itself:
            # joined ones (a film's language) are not written, and other writers of them may go on.
            queryset = queryset.select_for_update(of=("self",))
        return queryset

    def get_object(self):
        instance = super().get_object()
        if self._checking_if_match and not etag_matches(self.request.headers[HEADER], self.etag(instance)):
            raise PreconditionFailed()
        return instance

    def etag(self, instance) -> str:
        """The ETag ``GET`` would answer for ``instance``: Django's own, over the same rendering."""
        request = self.request
        content = request.accepted_renderer.render(
            self.get_serializer(instance).data, request.accepted_media_type, self.get_renderer_context()
        )
        return set_response_etag(HttpResponse(content))["ETag"]

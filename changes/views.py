"""The change log: ``GET /changes/`` and ``/changes/{id}/`` (the contract's "Who did what")."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from changes.filters import ChangeFilter
from changes.models import Change
from changes.serializers import ChangeSerializer
from customers.mixins import InScopeMixin
from pagila_site.api.pagination import CursorPagination
from pagila_site.api.schema import error_responses


@extend_schema_view(
    list=extend_schema(
        summary="Change records, newest first",
        responses={200: ChangeSerializer(many=True), **error_responses(400, 404)},
    ),
    retrieve=extend_schema(
        summary="One change record",
        responses={200: ChangeSerializer, **error_responses(404)},
    ),
)
class ChangeViewSet(InScopeMixin, viewsets.ReadOnlyModelViewSet):
    """Every insert, update and delete of the tracked tables, by any writer. A superuser sees all;
    a clerk sees the catalogue's, those of customers in scope now (and of their subscriptions,
    rentals and payments), and those of copies, rentals and payments of their stores."""

    queryset = Change.objects.order_by("-change_id")
    serializer_class = ChangeSerializer
    filterset_class = ChangeFilter
    pagination_class = CursorPagination
    lookup_value_converter = "int"

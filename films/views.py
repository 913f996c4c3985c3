"""The films catalogue API: films (public reads, staff-only streaming flag) and categories.

Each list costs a fixed number of queries whatever the page size: the language's name,
categories, counts and a detail's actors and copies are SQL annotations (see ``FilmQuerySet``,
``CategoryQuerySet`` and, for copies, ``rentals.models.with_copies``), so a detail is one query.
The copies are the one read of another app's data: see ``FilmViewSet.detail_queryset``.
"""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from customers.permissions import PublicReadStaffWrite
from films.filters import FilmFilter
from films.models import Category, Film
from films.serializers import (
    CategorySerializer,
    FilmDetailSerializer,
    FilmSerializer,
    FilmStreamingSerializer,
)
from pagila_site.api.filters import INT_MAX
from pagila_site.api.pagination import FilteredByOneQueryPagination
from pagila_site.api.preconditions import IfMatchMixin
from pagila_site.api.schema import error_responses

NOT_MODIFIED = {304: OpenApiResponse(description="Not modified: `If-None-Match` matches the `ETag`.")}
FILM_ID = OpenApiParameter(
    "film_id", {"type": "integer", "minimum": 1, "maximum": INT_MAX}, OpenApiParameter.PATH
)


@extend_schema_view(
    list=extend_schema(
        summary="List films",
        responses={200: FilmSerializer, **NOT_MODIFIED, **error_responses(400, 404)},
    ),
    retrieve=extend_schema(
        summary="Show a film with its actors and copies",
        parameters=[FILM_ID],
        responses={200: FilmDetailSerializer, **NOT_MODIFIED, **error_responses(404)},
    ),
    partial_update=extend_schema(
        summary="Change whether a film can be streamed",
        parameters=[FILM_ID],
        request=FilmStreamingSerializer,
        responses={200: FilmDetailSerializer, **error_responses(400, 401, 404)},
    ),
)
class FilmViewSet(
    IfMatchMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    # fulltext is only ever matched in SQL; loading each film's tsvector would be waste.
    queryset = Film.objects.with_language_name().with_category_names().defer("fulltext")
    # The detail's copies (total, in stock) are rentals' data, which this app doesn't import
    # (rentals depends on films). That cross-app read is rentals.models.film_details(), set here
    # by the rentals app when the apps are loaded (rentals/apps.py).
    detail_queryset = None
    filterset_class = FilmFilter
    pagination_class = FilteredByOneQueryPagination
    permission_classes = [PublicReadStaffWrite]
    lookup_field = "film_id"
    # At most 10 digits: a longer "id" can't be a PostgreSQL integer, and Django answers
    # 10-digit values above its range with no row (404) rather than a database error.
    lookup_value_regex = "[0-9]{1,10}"
    # PATCH only: the streaming flag is the one writable field, so PUT has nothing to replace.
    http_method_names = ["get", "patch", "head", "options"]
    serializer_classes = {
        "list": FilmSerializer,
        "retrieve": FilmDetailSerializer,
        "partial_update": FilmStreamingSerializer,
    }

    def get_queryset(self):
        if self.action == "list":
            return super().get_queryset()
        return self.detail_queryset.all()

    def get_serializer_class(self):
        return self.serializer_classes.get(self.action, FilmSerializer)


@extend_schema_view(
    list=extend_schema(
        summary="List categories with their number of films",
        responses={200: CategorySerializer, **NOT_MODIFIED, **error_responses(400, 404)},
    ),
)
class CategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    # Explicit: Django drops Meta.ordering from GROUP BY queries such as this count.
    queryset = Category.objects.with_film_count().order_by("name", "category_id")
    serializer_class = CategorySerializer
    permission_classes = [PublicReadStaffWrite]

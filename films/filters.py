"""Query parameters of the film list, as the contract's Films section defines them.

Every documented parameter is validated: a value that is unknown or malformed is a 400 naming
the parameter, never silently ignored (hence the strict fields of ``pagila_site.api.filters``
and the ones below).
"""

from django import forms
from django.core.exceptions import ValidationError
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from films.models import Category, Film, MpaaRating
from pagila_site.api.filters import INT_MAX, INT_MIN, FilterSet, IntegerFilter, StrictBooleanFilter

RATING_SCHEMA = {"type": "string", "enum": MpaaRating.values, "description": "MPAA rating."}
SEARCH_SCHEMA = {
    "type": "string",
    "maxLength": 500,
    "description": (
        "Full-text search over title and description in web-search syntax: words, "
        '`"a phrase"`, `-excluded` (at most 16 minus signs).'
    ),
}
ORDERING_FIELDS = ("film_id", "title", "rental_rate", "length", "release_year")


class SearchTextField(forms.CharField):
    """Web-search text that PostgreSQL can parse.

    websearch_to_tsquery nests one NOT per ``-`` on a 32-deep operator stack (31 after a word),
    and a very long query exhausts the server's stack: both 500s, so both are bounded here,
    with room to spare for the operators around the minus signs.
    """

    max_minus_signs = 16

    def validate(self, value):
        super().validate(value)
        if value.count("-") > self.max_minus_signs:
            raise ValidationError(
                "Use at most %(limit)d minus signs.", code="invalid", params={"limit": self.max_minus_signs}
            )


class SearchFilter(filters.CharFilter):
    field_class = SearchTextField


class CategoryNameField(forms.CharField):
    """A category name in any case, cleaned to the ids of the categories so called; an unknown
    name is invalid, like any unknown filter value."""

    def clean(self, value):
        name = super().clean(value)
        if not name:
            return name
        category_ids = Category.objects.ids_named(name)
        if not category_ids:
            raise ValidationError(
                "No category is called %(value)s.", code="invalid_choice", params={"value": name}
            )
        return category_ids


class CategoryFilter(filters.CharFilter):
    field_class = CategoryNameField


class FilmOrderingFilter(filters.OrderingFilter):
    """The contract's orderings, with ties always broken by ``film_id`` so pages are stable."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, "film_id")
        return qs


class FilmFilter(FilterSet):
    category = CategoryFilter(
        method="filter_category",
        help_text="Category name, case-insensitive exact (`Action`, `action`); each film appears once.",
    )
    # The schema is spelled out: introspection would copy the model column's "nullable".
    rating = extend_schema_field(
        {"type": "string", "enum": MpaaRating.values, "description": "MPAA rating."}
    )(filters.ChoiceFilter(choices=MpaaRating.choices))
    streaming_available = StrictBooleanFilter(help_text="`true` or `false`.")
    release_year = IntegerFilter(min_value=INT_MIN, max_value=INT_MAX, help_text="Release year.")
    title = filters.CharFilter(lookup_expr="icontains", help_text="Case-insensitive substring of the title.")
    search = extend_schema_field(SEARCH_SCHEMA)(
        SearchFilter(method="filter_search", max_length=SEARCH_SCHEMA["maxLength"])
    )
    ordering = FilmOrderingFilter(
        fields=ORDERING_FIELDS,
        help_text="Sort key, `-` for descending (default `film_id`); ties are broken by `film_id`.",
    )

    class Meta:
        model = Film
        fields = ("category", "rating", "streaming_available", "release_year", "title", "search")

    def filter_category(self, queryset, name, value):
        return queryset.in_categories(value)

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

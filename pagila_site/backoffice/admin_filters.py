"""Admin list filters and searches shared by several changelists."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Q
from django.utils.text import smart_split, unescape_string_literal

from customers.models import Customer
from customers.scope import scope_of


def is_pagila_id(text: str) -> bool:
    """Whether ``text`` is an id as a clerk types or scans it: nine digits at most, so it is a
    PostgreSQL integer and converts without a ValueError or an overflow."""
    return text.isascii() and text.isdigit() and len(text) <= 9


class IdInputFilter(admin.SimpleListFilter):
    """A free-text id box instead of a sidebar of hundreds of links (Pagila has 500 stores)."""

    template = "admin/input_filter.html"
    field_path = ""

    def lookups(self, request, model_admin):
        # Django shows a filter only when it has choices; the box itself is the only "choice".
        return [("", "")]

    def choices(self, changelist):
        query = changelist.get_filters_params()
        query.pop(self.parameter_name, None)
        yield {"query_params": query, "value": self.value() or "", "parameter_name": self.parameter_name}

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not is_pagila_id(value):
            return queryset.none()
        return queryset.filter(**{self.field_path: int(value)})


def id_input_filter(path: str, title: str) -> type[IdInputFilter]:
    return type(
        f"{path.title().replace('_', '')}InputFilter",
        (IdInputFilter,),
        {"title": title, "parameter_name": path, "field_path": path},
    )


class CheckedDateHierarchy:
    """For a ``ModelAdmin`` with a ``date_hierarchy``: a year, month or day in the query string
    that is not a date's is refused as Django refuses other wrong lookups (the changelist
    redirects to ``?e=1``). Django's own check catches ``int()``'s ValueError only: a year of 20
    digits overflows ``date()``, and 9999 fails one step later, computing the next year; both
    were a 500."""

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        return type(f"Checked{changelist.__name__}", (_CheckedDateChangeList, changelist), {})


# The largest value of each part whose date, and the start of the next period, exist.
_DATE_PARTS = {"year": 9998, "month": 12, "day": 31}


class _CheckedDateChangeList:
    def get_filters(self, request):
        if self.date_hierarchy:
            for part, largest in _DATE_PARTS.items():
                values = request.GET.getlist(f"{self.date_hierarchy}__{part}")
                if values and not (is_pagila_id(values[-1]) and 1 <= int(values[-1]) <= largest):
                    raise IncorrectLookupParameters(f"{part} {values[-1]!r} is not a date's")
        return super().get_filters(request)


def _words(search_term: str) -> list[str]:
    """The words of a changelist search, as Django's admin splits them (quotes keep a phrase)."""
    words = []
    for word in smart_split(search_term):
        if word.startswith(('"', "'")) and word[0] == word[-1]:
            word = unescape_string_literal(word)
        words.append(word)
    return words


#: Up to this many customers matching a search are read first and passed on as a list.
FEW_CUSTOMERS = 100


def _customers(matches):
    """``matches`` (customers) as a ``customer__in`` value: their ids when there are few, so that
    PostgreSQL knows how few and reads their rows by ``customer_id``; else the subquery itself,
    and it walks the list in order, where their rows are common enough to fill a page soon."""
    few = list(matches.values_list("pk", flat=True)[: FEW_CUSTOMERS + 1])
    return few if len(few) <= FEW_CUSTOMERS else matches


class IdOrCustomerSearch:
    """For a ``ModelAdmin`` of rows that have a customer (rentals, payments): the search Django
    would run for ``search_fields = ["=<id>", "customer__last_name", "customer__email"]`` (each
    word matches the row's id, as text, or is in its customer's last name or email), written so
    that PostgreSQL finds the customers first, by their trigram indexes (customers migration
    0004), then their rows by ``customer_id``.

    Django's own puts the three in one ``OR`` across the row and its customer, which no index
    serves: it joined every row to its customer. Here the customers are looked up first (one
    query), and a word that could be an id matches that row or those customers' rows. A
    subquery (``customer_id IN (SELECT ...)``) was not enough: beside a clerk's scope PostgreSQL
    would not read the rows of a few customers by index (it costs the scope's hashed subqueries
    once per customer) and hashed the whole table instead.
    """

    def get_search_results(self, request, queryset, search_term):
        customers = None
        # Only the caller's customers are found by name or email: a row of another store's
        # customer (in scope by its copy) shows them as "#id", and a search by their name must not
        # tell who they are either.
        yours = Customer.objects.in_scope(scope_of(request.user))
        for word in _words(search_term):
            matches = yours.filter(Q(last_name__icontains=word) | Q(email__icontains=word))
            if is_pagila_id(word) and word == str(int(word)):
                queryset = queryset.filter(Q(pk=int(word)) | Q(customer__in=_customers(matches)))
            else:
                customers = matches if customers is None else customers & matches
        if customers is not None:
            queryset = queryset.filter(customer__in=_customers(customers))
        return queryset, False

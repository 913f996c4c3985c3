"""Admin list filters shared by several changelists."""

from django.contrib import admin


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

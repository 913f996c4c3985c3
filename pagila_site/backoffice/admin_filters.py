"""Admin list filters shared by several changelists."""

from django.contrib import admin


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
        if not (value.isascii() and value.isdigit() and len(value) <= 9):
            return queryset.none()
        return queryset.filter(**{self.field_path: int(value)})


def id_input_filter(path: str, title: str) -> type[IdInputFilter]:
    return type(
        f"{path.title().replace('_', '')}InputFilter",
        (IdInputFilter,),
        {"title": title, "parameter_name": path, "field_path": path},
    )

"""The change log in the back office: every change record the user's scope sees, newest first,
filtered by table, object, user, source and date, exported as CSV. Read-only: nothing here adds,
changes or deletes a record (nor could it: the database refuses)."""

from django.apps import apps
from django.contrib import admin
from django.db.models import TextField, Value
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html

from changes.models import TRACKED, Change
from pagila_site.backoffice.admin_filters import IdInputFilter, id_input_filter
from pagila_site.backoffice.change_history import changes_html, source_label, when, who_html
from pagila_site.backoffice.changelists import BigListAdmin, ReadOnlyAdmin
from pagila_site.backoffice.csv_export import CsvExportMixin
from pagila_site.backoffice.scoping import InScopeAdmin

# A value in the changelist's "changes" column is cut to this many characters (a film's
# description); the record's own page and the object's History page show it whole.
LIST_VALUE_LIMIT = 40


class TableFilter(admin.SimpleListFilter):
    title = "table"
    parameter_name = "table"

    def lookups(self, request, model_admin):
        return [(table, table.replace("_", " ")) for table in TRACKED]

    def queryset(self, request, queryset):
        if self.value() in TRACKED:
            return queryset.filter(table=self.value())
        return queryset


class SourceFilter(admin.SimpleListFilter):
    title = "source"
    parameter_name = "source"

    def lookups(self, request, model_admin):
        return [
            ("api", "API"),
            ("ai", "AI"),
            ("admin", "admin"),
            ("counter", "counter"),
            ("command", "command"),
            ("sql", "SQL (outside the app)"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "api" | "ai" | "admin" | "counter":
                return queryset.filter(source=self.value())
            case "command":
                # A range, not LIKE 'command:%', which the index can't serve under every collation.
                return queryset.filter(source__gte="command:", source__lt="command;")
            case "sql":
                return queryset.filter(source__isnull=True)
        return queryset


class UserFilter(IdInputFilter):
    """A username box: a chain's staff are too many for a sidebar of links."""

    title = "user"
    parameter_name = "user"

    def choices(self, changelist):
        for choice in super().choices(changelist):
            yield {**choice, "placeholder": "username", "inputmode": "text"}

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if "\x00" in value:  # no PostgreSQL text holds one: asking would be an error
            return queryset.none()
        return queryset.filter(user=value)


class ChangedOnFilter(admin.DateFieldListFilter):
    """Today, the past 7 days, this month, this year: ranges of ``at`` (its BRIN index). Not a
    date hierarchy, whose drill-down reads the list's first and last dates by ``ORDER BY at``,
    which no B-tree index serves here."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "date"


@admin.register(Change)
class ChangeAdmin(ReadOnlyAdmin, BigListAdmin, CsvExportMixin, InScopeAdmin, admin.ModelAdmin):
    # The request id is left to the search, the record's page and the CSV: beside the admin's
    # sidebars a list as wide as the record leaves the changes no room.
    list_display = ["changed_at", "object_link", "action", "changes_shown", "who", "source_shown", "reason"]
    list_display_links = ["changed_at"]
    list_filter = [
        TableFilter,
        id_input_filter("object_id", "object id"),
        UserFilter,
        SourceFilter,
        ("at", ChangedOnFilter),
    ]
    # Exact, as its partial index serves it (Django's "=request_id" would compare upper-cased).
    search_fields = ["request_id__exact"]
    search_help_text = "Search by request id (a response's X-Request-ID)."
    # By the primary key, newest first: "at" has only a BRIN index, which orders nothing.
    sortable_by = ["changed_at"]
    list_per_page = 50
    empty_value_display = "—"
    fields = [
        "change_id",
        "changed_at",
        "object_link",
        "action",
        "changes_whole",
        "who",
        "source_shown",
        "request_id",
        "idempotency_key",
        "reason",
    ]
    readonly_fields = fields
    csv_columns = [
        ("change_id", "change_id"),
        ("at", "at"),
        ("table", "table"),
        ("object_id", "object_id"),
        ("action", "action"),
        # The record's JSON as PostgreSQL keeps it: {"column": [before, after]}.
        ("changes", Cast("changes", TextField())),
        ("user", "user"),
        ("token", "token"),
        ("source", Coalesce("source", Value("sql"), output_field=TextField())),
        ("request_id", "request_id"),
        ("idempotency_key", "idempotency_key"),
        ("reason", "reason"),
    ]

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "Change log", **(extra_context or {})})

    @cached_property
    def _admined_tables(self) -> dict[str, str]:
        """Each tracked table's admin URL name prefix, for the model registered over it (payments:
        the ledger's)."""
        return {
            model._meta.db_table: f"{self.admin_site.name}:{model._meta.app_label}_{model._meta.model_name}"
            for model in apps.get_models()
            if model._meta.db_table in TRACKED and self.admin_site.is_registered(model)
        }

    @admin.display(description="when", ordering="change_id")
    def changed_at(self, change):
        # Date and time each kept whole, the line breaking between them in a narrow list.
        day, time = when(change.at).split(" ", 1)
        return format_html('<span class="day">{}</span> <span class="time">{}</span>', day, time)

    @admin.display(description="object")
    def object_link(self, change):
        label = f"{change.table.replace('_', ' ')} {change.object_id}"
        prefix = self._admined_tables.get(change.table)
        if prefix is None:
            return label
        return format_html(
            '<a href="{}">{}</a>', reverse(f"{prefix}_history", args=[change.object_id]), label
        )

    @admin.display(description="changes")
    def changes_shown(self, change):
        return changes_html(change, limit=LIST_VALUE_LIMIT)

    @admin.display(description="changes")
    def changes_whole(self, change):
        return changes_html(change)

    @admin.display(description="who")
    def who(self, change):
        return who_html(change)

    @admin.display(description="source")
    def source_shown(self, change):
        return source_label(change.source)

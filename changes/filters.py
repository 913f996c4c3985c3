"""Query filters of the change log. Bad values are 400 naming the parameter."""

import django_filters

from changes.models import TRACKED, Change
from pagila_site.api.filters import FilterSet, IdFilter, IsoDateTimeFilter


class ChangeFilter(FilterSet):
    table = django_filters.ChoiceFilter(choices=[(t, t) for t in TRACKED], help_text="The table changed.")
    object_id = IdFilter(help_text="The changed row's key in its table (give the table too).")
    user = django_filters.CharFilter(field_name="user", help_text="The username of the writer.")
    request_id = django_filters.CharFilter(help_text="The X-Request-ID of the request that wrote it.")
    since = IsoDateTimeFilter(
        field_name="at", lookup_expr="gte", help_text="Changed at or after (ISO 8601 date or date-time)."
    )
    until = IsoDateTimeFilter(
        field_name="at", lookup_expr="lt", help_text="Changed before (ISO 8601 date or date-time)."
    )

    class Meta:
        model = Change
        fields = ["table", "object_id", "user", "request_id", "since", "until"]

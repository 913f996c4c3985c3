import functools
from decimal import Decimal

from django.apps import apps
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from changes.models import Change


@functools.cache
def money_columns() -> dict[str, dict[str, int]]:
    """Per table, its money columns and their decimal places: shown as the contract's money
    strings ("2.99"), not as the JSON numbers PostgreSQL's ``to_jsonb`` gives them."""
    columns: dict[str, dict[str, int]] = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.get_internal_type() == "DecimalField":
                columns.setdefault(model._meta.db_table, {})[field.column] = field.decimal_places
    return columns


def _money(value, places: int) -> str:
    return str(Decimal(str(value)).quantize(Decimal(1).scaleb(-places)))


def shown_changes(change: Change) -> dict[str, list]:
    """``change.changes`` with money as strings."""
    places = money_columns().get(change.table, {})
    return {
        column: [_money(v, places[column]) if column in places and v is not None else v for v in pair]
        for column, pair in change.changes.items()
    }


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "array", "minItems": 2, "maxItems": 2, "items": {}},
        "description": "Each changed column: [before, after] (null before an insert, after a delete).",
    }
)
class ChangesField(serializers.Field):
    def to_representation(self, value):
        return shown_changes(value)


class ChangeSerializer(serializers.ModelSerializer):
    changes = ChangesField(source="*", read_only=True)

    class Meta:
        model = Change
        fields = [
            "change_id",
            "at",
            "table",
            "object_id",
            "action",
            "changes",
            "user",
            "token",
            "request_id",
            "idempotency_key",
            "reason",
            "source",
        ]
        read_only_fields = fields

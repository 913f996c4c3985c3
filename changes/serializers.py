from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from changes.models import Change


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "array", "minItems": 2, "maxItems": 2, "items": {}},
        "description": "Each changed column: [before, after] (null before an insert, after a delete).",
    }
)
class ChangesField(serializers.Field):
    def to_representation(self, value):
        return value.shown_changes()


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

"""Wire shapes of customers and streaming subscriptions (see API.md, "Customers, rentals...")."""

from django.db import IntegrityError, transaction
from rest_framework import serializers

from customers.models import StreamingSubscription
from pagila_site.api.serializers import PlannedSerializer

END_BEFORE_START = "end_date must be on or after start_date."
_END_AFTER_START_CONSTRAINT = "streaming_subscription_end_after_start"


class CustomerSerializer(PlannedSerializer):
    # Declared with the columns' types and nullability, as in films.serializers: a ModelSerializer
    # derives them from the model again for each instance it makes.
    customer_id = serializers.IntegerField(read_only=True)
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)
    email = serializers.CharField(read_only=True, allow_null=True)
    active = serializers.BooleanField(source="is_active", read_only=True)
    store_id = serializers.IntegerField(read_only=True)
    create_date = serializers.DateField(read_only=True)


class CustomerAddressSerializer(serializers.Serializer):
    address = serializers.CharField()
    district = serializers.CharField()
    city = serializers.CharField(source="city.city")
    country = serializers.CharField(source="city.country.country")
    postal_code = serializers.CharField(allow_null=True)
    phone = serializers.CharField()


class CustomerDetailSerializer(CustomerSerializer):
    address = CustomerAddressSerializer(read_only=True)
    open_rentals = serializers.IntegerField(read_only=True, help_text="Rentals not yet returned.")
    balance = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        read_only=True,
        help_text="The sum of its rentals' balances (what they owe minus what was paid).",
    )
    blocked_reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=["balance", "overdue"]),
        read_only=True,
        help_text="Why the customer may not rent without an override: `balance` (owes more than "
        "CIRCULATION_MAX_BALANCE), `overdue` (more than CIRCULATION_MAX_OVERDUE rentals overdue). "
        "Empty when not blocked.",
    )


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    is_superuser = serializers.BooleanField()
    staff_id = serializers.IntegerField(allow_null=True, help_text="The linked Pagila staff member.")
    store_ids = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="The stores the caller works for, sorted: every store for a superuser.",
    )
    token_expires_at = serializers.DateTimeField(
        allow_null=True, help_text="When the token used for this request expires; null when it never does."
    )


class SubscriptionSerializer(serializers.Serializer):
    id = serializers.BigIntegerField(read_only=True)
    customer_id = serializers.IntegerField(read_only=True)
    plan_name = serializers.CharField(min_length=1, max_length=50)
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True, required=False)

    def validate(self, attrs):
        # A PATCH may send end_date alone: judge it against the stored start_date.
        start = attrs.get("start_date", getattr(self.instance, "start_date", None))
        end = attrs.get("end_date", getattr(self.instance, "end_date", None))
        if start is not None and end is not None and end < start:
            raise serializers.ValidationError({"end_date": [END_BEFORE_START]})
        return attrs

    def create(self, validated_data):
        return StreamingSubscription.objects.create(**validated_data)

    def update(self, instance, validated_data):
        for field, value in validated_data.items():
            setattr(instance, field, value)
        # Only the fields sent: a concurrent change to the others is kept, and the database's
        # CHECK then judges the combination actually stored.
        instance.save(update_fields=list(validated_data))
        return instance

    def save(self, **kwargs):
        try:
            with transaction.atomic():
                return super().save(**kwargs)
        except IntegrityError as exc:
            # The CHECK behind validate(): reached when another request changed start_date
            # between our read and our write.
            diag = getattr(exc.__cause__, "diag", None)
            if getattr(diag, "constraint_name", None) == _END_AFTER_START_CONSTRAINT:
                raise serializers.ValidationError({"end_date": [END_BEFORE_START]}) from exc
            raise

"""Wire shapes of rentals. Read from querysets annotated by ``RentalQuerySet``
(``with_due_date()``, ``with_film()``, ``with_amount_due()``), never computed per row here."""

from rest_framework import serializers

from pagila_site.api.filters import INT_MAX


class RentalFilmSerializer(serializers.Serializer):
    film_id = serializers.IntegerField()
    title = serializers.CharField(source="film_title")

    def to_representation(self, rental):
        # The two annotations as they come: DRF's walk over the fields, once per row for this
        # nested object, doubled the Python of serializing a page of rentals.
        return {"film_id": rental.film_id, "title": rental.film_title}


class RentalSerializer(serializers.Serializer):
    rental_id = serializers.IntegerField()
    rental_date = serializers.DateTimeField()
    return_date = serializers.DateTimeField(allow_null=True)
    due_date = serializers.DateTimeField(help_text="rental_date + the film's rental_duration days.")
    overdue = serializers.BooleanField(help_text="Not returned and past due_date.")
    customer_id = serializers.IntegerField()
    inventory_id = serializers.IntegerField()
    staff_id = serializers.IntegerField()
    film = RentalFilmSerializer(source="*")


class ReturnedRentalSerializer(RentalSerializer):
    amount_due = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        help_text=(
            "The film's rental_rate, plus 1.00 per whole day between due_date and return_date, "
            "plus the replacement_cost when the rental lasted more than twice rental_duration days."
        ),
    )


class StaffIdMixin:
    """``staff_id`` is the caller's own staff member by default (``rentals.services.acting_staff_id``),
    so it is required only of a caller linked to none (context ``scope``): then a missing one is
    reported with the other fields' errors. The schema, built without a caller, shows it optional."""

    def get_fields(self):
        fields = super().get_fields()
        scope = self.context.get("scope")
        fields["staff_id"].required = scope is not None and scope.staff_id is None
        return fields


class RentalCreateSerializer(StaffIdMixin, serializers.Serializer):
    inventory_id = serializers.IntegerField(min_value=1, max_value=INT_MAX)
    # Pagila has a staff member 0 (sina.corkery), so 0 is a valid id.
    staff_id = serializers.IntegerField(
        min_value=0,
        max_value=INT_MAX,
        required=False,
        help_text="Who takes the rental. Defaults to the caller's own staff member; a caller linked to "
        "one may name only itself, an unlinked superuser must name one.",
    )

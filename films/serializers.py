"""The wire shapes of the Films section: film, film detail, the streaming PATCH, category.

Fields computed in SQL come from the viewsets' querysets (``FilmQuerySet.with_category_names()``,
``rentals.models.with_copies()``, ``CategoryQuerySet.with_film_count()``), so serializing a page
costs no query per row.
"""

from collections.abc import Mapping

from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

from films.models import Film, MpaaRating
from pagila_site.api.serializers import PlannedSerializer


class FilmSerializer(PlannedSerializer):
    # Every field declared, with its column's type and nullability: a ModelSerializer derives
    # them from the model again for each instance it makes (README, Performance).
    film_id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True, allow_null=True)
    release_year = serializers.IntegerField(read_only=True, allow_null=True)
    language = serializers.CharField(source="language_name", read_only=True)
    rating = serializers.ChoiceField(choices=MpaaRating.choices, read_only=True, allow_null=True)
    length = serializers.IntegerField(read_only=True, allow_null=True)
    rental_duration = serializers.IntegerField(read_only=True)
    rental_rate = serializers.DecimalField(max_digits=4, decimal_places=2, read_only=True)
    replacement_cost = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True)
    special_features = serializers.ListField(child=serializers.CharField(), read_only=True, allow_null=True)
    categories = serializers.ListField(child=serializers.CharField(), source="category_names", read_only=True)
    streaming_available = serializers.BooleanField(read_only=True)


class ActorSerializer(PlannedSerializer):
    actor_id = serializers.IntegerField(read_only=True)
    first_name = serializers.CharField(read_only=True)
    last_name = serializers.CharField(read_only=True)


class FilmCopiesSerializer(PlannedSerializer):
    total = serializers.IntegerField(source="copies_total", read_only=True)
    in_stock = serializers.IntegerField(
        source="copies_in_stock", read_only=True, help_text="Copies not out on an open rental."
    )


class FilmDetailSerializer(FilmSerializer):
    actors = ActorSerializer(source="cast", many=True, read_only=True)
    copies = FilmCopiesSerializer(source="*", read_only=True)


class FilmStreamingSerializer(serializers.ModelSerializer):
    """The body of a film PATCH: `streaming_available` and nothing else.

    Any other key is rejected by name rather than ignored, so a client that tries to change a
    title learns that it can't. The response is the film's detail.
    """

    class Meta:
        model = Film
        fields = ["streaming_available"]
        extra_kwargs = {"streaming_available": {"required": True}}

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            film_fields = FilmDetailSerializer._declared_fields
            errors = {
                key: ["This field is read-only." if key in film_fields else "Unknown field."]
                for key in sorted(data, key=str)
                if key not in self.fields
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)

    def validate(self, attrs):
        # PATCH makes the serializer partial, which skips "required"; the one field still is.
        if "streaming_available" not in attrs:
            raise serializers.ValidationError({"streaming_available": ["This field is required."]})
        return attrs

    def update(self, instance, validated_data):
        instance.streaming_available = validated_data["streaming_available"]
        # Only this column: a full save would write back every column read earlier.
        instance.save(update_fields=["streaming_available"])
        return instance

    def to_representation(self, instance):
        return FilmDetailSerializer(instance, context=self.context).data


class FilmStreamingSchema(OpenApiSerializerExtension):
    """Documents the PATCH body as it is validated: the field required, no other key allowed.

    drf-spectacular would document any PATCH body as partial (every field optional).
    """

    target_class = FilmStreamingSerializer

    def map_serializer(self, auto_schema, direction):
        # The base class maps the serializer class itself, which is not partial.
        return {**super().map_serializer(auto_schema, direction), "additionalProperties": False}


class CategorySerializer(PlannedSerializer):
    category_id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    film_count = serializers.IntegerField(read_only=True)

"""The wire shapes of the Films section: film, film detail, the streaming PATCH, category.

Fields computed in SQL come from the viewsets' querysets (``FilmQuerySet.with_category_names()``,
``rentals.models.with_copies()``, ``CategoryQuerySet.with_film_count()``), so serializing a page
costs no query per row.
"""

from collections.abc import Mapping

from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

from films.models import Actor, Category, Film

FILM_FIELDS = [
    "film_id",
    "title",
    "description",
    "release_year",
    "language",
    "rating",
    "length",
    "rental_duration",
    "rental_rate",
    "replacement_cost",
    "special_features",
    "categories",
    "streaming_available",
]


class FilmSerializer(serializers.ModelSerializer):
    language = serializers.CharField(source="language.name", read_only=True)
    categories = serializers.ListField(child=serializers.CharField(), source="category_names", read_only=True)

    class Meta:
        model = Film
        fields = FILM_FIELDS
        read_only_fields = FILM_FIELDS


class ActorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Actor
        fields = ["actor_id", "first_name", "last_name"]
        read_only_fields = fields


class FilmCopiesSerializer(serializers.Serializer):
    total = serializers.IntegerField(source="copies_total", read_only=True)
    in_stock = serializers.IntegerField(
        source="copies_in_stock", read_only=True, help_text="Copies not out on an open rental."
    )


class FilmDetailSerializer(FilmSerializer):
    actors = ActorSerializer(many=True, read_only=True)
    copies = FilmCopiesSerializer(source="*", read_only=True)

    class Meta(FilmSerializer.Meta):
        fields = [*FILM_FIELDS, "actors", "copies"]


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
            film_fields = FilmDetailSerializer.Meta.fields
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


class CategorySerializer(serializers.ModelSerializer):
    film_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Category
        fields = ["category_id", "name", "film_count"]
        read_only_fields = fields

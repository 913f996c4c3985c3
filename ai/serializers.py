"""Wire shapes of the AI endpoints (see API.md, "AI"): what they accept and what they answer."""

from rest_framework import serializers

from ai.services import LLM_AGENT, SEARCH_AGENT
from films.models import MpaaRating
from pagila_site.api.filters import INT_MAX, INT_MIN

QUESTION_MAX_LENGTH = 2000


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer only: ``"7"``, ``7.0`` and ``true`` are not film ids."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


def _question_field() -> serializers.CharField:
    return serializers.CharField(
        min_length=1, max_length=QUESTION_MAX_LENGTH, help_text="1 to 2000 characters, not all blank."
    )


class AskQuerySerializer(serializers.Serializer):
    question = _question_field()


class SummaryRequestSerializer(serializers.Serializer):
    # film_id is a PostgreSQL integer: anything outside it is malformed, not merely unknown.
    film_id = StrictIntegerField(min_value=INT_MIN, max_value=INT_MAX)


class SummarySerializer(serializers.Serializer):
    title = serializers.CharField(help_text="The film's title, from the catalogue.")
    rating = serializers.ChoiceField(MpaaRating.choices, help_text="The film's rating, from the catalogue.")
    recommended = serializers.BooleanField(
        help_text="True exactly when the rating is R or NC-17 and the rental rate is below 3.00, "
        "whatever the model said."
    )


class HandoffRequestSerializer(serializers.Serializer):
    question = _question_field()


class HandoffSerializer(serializers.Serializer):
    agent = serializers.ChoiceField(
        [SEARCH_AGENT, LLM_AGENT],
        help_text="SearchAgent answers from the catalogue without the model; LLMAgent is the model.",
    )
    answer = serializers.CharField()

"""Read serializers whose output is computed by a plan made once per class.

DRF deep-copies and binds every declared field each time it makes a serializer, then walks the
fields through ``get_attribute``/``to_representation`` for every row: for a page of 20 rentals
that was a quarter of the Python of the request (README, "Performance"). ``PlannedSerializer``
keeps DRF's declared fields (so the schema and any validation are untouched) and DRF's own
per-field conversions, but binds the fields once per class and reads each row with a tight loop.

Only fields whose conversion depends on nothing but the value are planned (``_PLAIN_FIELDS``, and
nested planned serializers); a serializer with any other field (a dotted source, a method field,
a hyperlink) falls back to DRF's walk, whole. ``pagila_site/tests/test_it_serializes_by_plan.py``
checks that the API's read serializers are planned and give DRF's output, byte for byte.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import Manager
from rest_framework import serializers

# Fields whose to_representation reads only its value and the field's own options.
_PLAIN_FIELDS = (
    serializers.BooleanField,
    serializers.CharField,
    serializers.ChoiceField,
    serializers.DateField,
    serializers.DateTimeField,
    serializers.DecimalField,
    serializers.IntegerField,
    serializers.ListField,
)

Represent = Callable[[Any], Any]


def _value_plan(field: serializers.Field) -> Represent | None:
    """How to turn one attribute's value into its representation, or None if it can't be planned."""
    if isinstance(field, serializers.ListSerializer):
        child = _value_plan(field.child)
        if child is None:
            return None
        return lambda items: [child(item) for item in (items.all() if isinstance(items, Manager) else items)]
    if isinstance(field, serializers.Serializer):
        return _serializer_plan(type(field))
    if type(field) not in _PLAIN_FIELDS:
        return None
    if isinstance(field, serializers.ListField) and type(field.child) not in _PLAIN_FIELDS:
        return None
    return field.to_representation


def _serializer_plan(serializer_class: type[serializers.Serializer]) -> Represent | None:
    """``serializer_class``'s to_representation as a plan, made once and kept on the class."""
    if "_plan" in serializer_class.__dict__:
        return serializer_class.__dict__["_plan"]
    # One bound set of fields for the class's lifetime: the planned fields' conversions read no
    # context, parent or request, so sharing them between serializer instances is safe.
    fields = serializer_class().fields
    steps = []
    for name, field in fields.items():
        if field.write_only:
            continue
        convert = _value_plan(field)
        if convert is None or "." in field.source:
            steps = None
            break
        steps.append((name, None if field.source == "*" else field.source, convert))
    plan = None if steps is None else _represent_by(tuple(steps))
    serializer_class._plan = plan
    return plan


def _represent_by(steps: tuple[tuple[str, str | None, Represent], ...]) -> Represent:
    def represent(instance):
        read = instance.__getitem__ if isinstance(instance, Mapping) else instance.__getattribute__
        row = {}
        for name, source, convert in steps:
            value = instance if source is None else read(source)
            if callable(value):  # a model method named as the source, which DRF calls too
                value = value()
            # As DRF: None is represented as None, without asking the field.
            row[name] = None if value is None else convert(value)
        return row

    return represent


# No docstring: drf-spectacular would take it, from the MRO, as every subclass's schema description.
class PlannedSerializer(serializers.Serializer):
    # A read serializer represented by its class's plan (DRF's walk when it has none).

    def to_representation(self, instance):
        plan = _serializer_plan(type(self))
        if plan is None:
            return super().to_representation(instance)
        return plan(instance)

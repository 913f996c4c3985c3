"""Read serializers whose output is computed by a plan made once per class.

DRF deep-copies and binds every declared field each time it makes a serializer, then walks the
fields through ``get_attribute``/``to_representation`` for every row: for a page of 20 rentals
that was a quarter of the Python of the request (README, "Performance"). ``PlannedSerializer``
keeps DRF's declared fields (so the schema and any validation are untouched) and DRF's own
per-field conversions, but binds the fields once per class and reads each row with a tight loop.

Only fields whose conversion depends on nothing but the value are planned (``_PLAIN_FIELDS``, and
nested planned serializers); a serializer with any other field (a dotted source, a method field,
a hyperlink) falls back to DRF's walk, whole, and so does an instance whose plan cannot read a
field's value (an attribute missing: DRF then applies the field's default, ``None`` or its own
error). Each fallback is a warning in the ``pagila.serializers`` log naming the serializer and the
field, the first time it happens in a process, so the slow path is never taken silently; only
reading the value falls back, so a conversion's own error is raised as it is.
``pagila_site/api/tests/test_it_serializes_by_plan.py`` checks that the API's read serializers are
planned and give DRF's output, byte for byte; ``rest_framework.fields.is_simple_callable``, a DRF
helper it shares, is pinned by the ledger (``test_it_pins_the_framework_internals_it_uses.py``).
"""

import datetime
import decimal
import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Manager, Model
from rest_framework import ISO_8601, serializers
from rest_framework.fields import is_simple_callable
from rest_framework.settings import api_settings

logger = logging.getLogger("pagila.serializers")

# (serializer, field, why) already logged: a fallback is reported once per process, not per row.
_logged: set[tuple[str, str, str]] = set()


def _log_fallback(serializer_class: type, field: str, why: str) -> None:
    key = (serializer_class.__qualname__, field, why)
    if key not in _logged:
        _logged.add(key)
        logger.warning(
            "%s represented by DRF's walk, not its plan: field %r %s",
            serializer_class.__qualname__,
            field,
            why,
            extra={"serializer": serializer_class.__qualname__, "field": field},
        )


class _Unreadable(Exception):
    """The plan could not read field ``name``'s value from an instance (DRF decides instead)."""

    def __init__(self, name: str, cause: Exception):
        super().__init__(name)
        self.name, self.cause = name, cause


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
        # Only a nested serializer represented by its plan: any other may represent its own way.
        if type(field).to_representation is not PlannedSerializer.to_representation:
            return None
        return _serializer_plan(type(field))
    if type(field) not in _PLAIN_FIELDS:
        return None
    if isinstance(field, serializers.ListField) and type(field.child) not in _PLAIN_FIELDS:
        return None
    if type(field) is serializers.DateTimeField:
        return _datetime_plan(field) or field.to_representation
    if type(field) is serializers.DecimalField:
        return _decimal_plan(field) or field.to_representation
    return field.to_representation


def _datetime_plan(field: serializers.DateTimeField) -> Represent | None:
    """ISO 8601 in UTC, as DRF writes it (``Z`` for ``+00:00``) when the current time zone is UTC.

    The contract's timestamps are UTC whatever time zone were active, and the API activates none:
    DRF's per-value lookup of the current time zone was a third of serializing a page of rentals.
    """
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    if hasattr(field, "timezone") or not isinstance(output_format, str) or output_format.lower() != ISO_8601:
        return None

    def iso_utc(value):
        if isinstance(value, str):  # as DRF: a string is passed on
            return value
        text = value.astimezone(datetime.UTC).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return iso_utc


def _decimal_plan(field: serializers.DecimalField) -> Represent | None:
    """DRF's quantize-then-format, with the exponent and the context made once, not per value."""
    coerce = getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
    if not coerce or field.localize or field.normalize_output or field.decimal_places is None:
        return None
    exponent = decimal.Decimal(".1") ** field.decimal_places
    rounding = field.rounding
    # One context (the default one with the field's precision), where DRF copies the thread's per
    # value: quantize only records signals in it, which nothing reads, and the API never changes
    # a thread's decimal context.
    context = decimal.getcontext().copy()
    if field.max_digits is not None:
        context.prec = field.max_digits

    def fixed_point(value):
        if not isinstance(value, decimal.Decimal):
            value = decimal.Decimal(str(value).strip())
        return f"{value.quantize(exponent, rounding=rounding, context=context):f}"

    return fixed_point


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
            why = "has a dotted source" if convert is not None else f"is a {type(field).__name__}"
            _log_fallback(serializer_class, name, f"{why}, which no plan represents")
            steps = None
            break
        steps.append((name, None if field.source == "*" else field.source, convert))
    plan = None if steps is None else _represent_by(tuple(steps))
    serializer_class._plan = plan
    return plan


def _represent_by(steps: tuple[tuple[str, str | None, Represent], ...]) -> Represent:
    def represent(instance):
        # A model instance first: the ABC check for Mapping costs more than the plain class one.
        is_row = isinstance(instance, Model) or not isinstance(instance, Mapping)
        read = instance.__getattribute__ if is_row else instance.__getitem__
        row = {}
        for name, source, convert in steps:
            if source is None:
                value = instance
            else:
                try:
                    value = read(source)
                except (AttributeError, KeyError, ObjectDoesNotExist) as exc:
                    raise _Unreadable(name, exc) from exc
            # A model method named as the source, which DRF calls too (not a related manager).
            if callable(value) and is_simple_callable(value):
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
        try:
            return plan(instance)
        except _Unreadable as unreadable:
            # An attribute missing, or a related object: DRF decides (a default, None, the field
            # left out, or its own error), for this instance.
            _log_fallback(
                type(self), unreadable.name, f"could not be read ({type(unreadable.cause).__name__})"
            )
            return super().to_representation(instance)

"""A queryset's SQL compiled by the ORM once per process, then run with other values.

Django compiles a queryset to SQL every time it runs it. For a page of a customer's rentals,
with its due dates, film and payment figures, building and compiling that query was two thirds
of the ORM's Python and a quarter of the request's (README, "Performance"): the same SQL each
time, only the customer and the page changing. :class:`CompiledQuery` asks the ORM for it once,
with a :class:`Slot` where each changing value goes, and reads its rows back into model
instances as the ORM does. (Through ``QuerySet.raw()`` that reading cost half the time again.)

Only for a query whose shape never changes between runs: a list's filters, which do, keep the
ORM. ``rentals/tests/test_it_pages_customer_rentals_by_compiled_sql.py`` checks that both give
the same pages.
"""

import dataclasses
from collections.abc import Callable

from django.db import connections, models


class Slot(models.Expression):
    """Where a :class:`CompiledQuery` puts the value named ``name`` at each run (as a filter's
    value: ``filter(customer_id=Slot("customer_id", models.IntegerField()))``)."""

    def __init__(self, name: str, output_field: models.Field):
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler, connection):
        return "%s", [self]


@dataclasses.dataclass(frozen=True)
class _Compiled:
    using: str
    model: type[models.Model]
    sql: str
    params: tuple
    fields: slice  # the model's columns in a row
    attnames: list[str]
    annotations: dict[str, int]  # annotation -> its column
    converters: list[tuple[int, list, models.Expression]]  # the ORM's value converters, by column


class CompiledQuery:
    """``build()``'s queryset, unsliced, compiled on first use; :meth:`page` runs it and makes
    its rows into model instances as the ORM's ``ModelIterable`` does (model columns through
    ``from_db``, annotations as attributes, the compiler's value converters applied)."""

    def __init__(self, build: Callable[[], models.QuerySet]):
        self._build = build
        self._compiled = None

    def _compile(self) -> _Compiled:
        if self._compiled is None:
            queryset = self._build()
            compiler = queryset.query.get_compiler(using=queryset.db)
            sql, params = compiler.as_sql()
            model_columns = compiler.klass_info["select_fields"]
            fields = slice(model_columns[0], model_columns[-1] + 1)
            converters = compiler.get_converters([expression for expression, _, _ in compiler.select])
            self._compiled = _Compiled(
                using=queryset.db,
                model=queryset.model,
                # The compiled SQL ends with its ORDER BY: the page's bounds are parameters too.
                sql=f"{sql} LIMIT %s OFFSET %s",
                params=tuple(params),
                fields=fields,
                attnames=[column.target.attname for column, _, _ in compiler.select[fields]],
                annotations=dict(compiler.annotation_col_map),
                converters=[
                    (position, functions, expression)
                    for position, (functions, expression) in converters.items()
                ],
            )
        return self._compiled

    def page(self, offset: int, limit: int, /, **values) -> list[models.Model]:
        """The rows from ``offset`` on, at most ``limit`` of them, with ``values`` in the slots."""
        compiled = self._compile()
        arguments = [values[param.name] if isinstance(param, Slot) else param for param in compiled.params]
        connection = connections[compiled.using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, [*arguments, limit, offset])
            rows = cursor.fetchall()
        instances = []
        for row in rows:
            if compiled.converters:
                row = list(row)
                for position, functions, expression in compiled.converters:
                    for convert in functions:
                        row[position] = convert(row[position], expression, connection)
            instance = compiled.model.from_db(compiled.using, compiled.attnames, row[compiled.fields])
            for name, position in compiled.annotations.items():
                setattr(instance, name, row[position])
            instances.append(instance)
        return instances

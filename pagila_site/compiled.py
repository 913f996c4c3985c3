"""The one way the project reads rows past the ORM: a queryset's SQL compiled by the ORM once per
process, then run with other values and read back into model instances as the ORM would.

Django compiles a queryset to SQL every time it runs it. For the queries that every request of a
kind runs, the same SQL each time with only a value or two changing (an API token by its prefix,
a page of a customer's rentals), building and compiling the queryset cost several times the rest
of the lookup (README, "Performance"). :class:`CompiledQuery` asks the ORM for the SQL once, with
a :class:`Slot` where each changing value goes, and turns the rows into model instances itself.
(Through ``QuerySet.raw()`` that reading cost half the time again.)

Only for a query whose shape never changes between runs: a list's filters, which do, keep the
ORM. It reads ``SQLCompiler`` attributes Django does not document (``klass_info``, ``select``,
``annotation_col_map``, ``get_converters``, ``Col.target``); the ledger in
``pagila_site/tests/test_it_pins_the_framework_internals_it_uses.py`` lists them and fails naming
the one an upgrade changed. ``rentals/tests/test_it_pages_customer_rentals_by_compiled_sql.py``
and ``pagila_site/api/tests/test_it_looks_up_tokens_in_one_query.py`` check that the rows are the
ORM's.
"""

import dataclasses
from collections.abc import Callable

from django.db import connections, models, router


class Slot(models.Expression):
    """Where a :class:`CompiledQuery` puts the value named ``name`` at each run (as a filter's
    value: ``filter(customer_id=Slot("customer_id", models.IntegerField()))``)."""

    def __init__(self, name: str, output_field: models.Field):
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler, connection):
        return "%s", [self]


@dataclasses.dataclass(frozen=True)
class _Loader:
    """How one model's instance is made from a row: its columns, and the related instances
    ``select_related()`` read in the same row (set through the foreign key, as the ORM does)."""

    model: type[models.Model]
    columns: slice
    attnames: list[str]
    related: list[tuple[str, "_Loader"]]

    def load(self, alias: str, row) -> models.Model:
        instance = self.model.from_db(alias, self.attnames, row[self.columns])
        for name, loader in self.related:
            setattr(instance, name, loader.load(alias, row))
        return instance


@dataclasses.dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    loader: _Loader
    annotations: dict[str, int]  # annotation -> its column
    converters: list[tuple[int, list, models.Expression]]  # the ORM's value converters, by column


def _loader(klass_info: dict, select: list) -> _Loader:
    columns = klass_info["select_fields"]
    related = []
    for info in klass_info.get("related_klass_infos", []):
        if info["reverse"]:
            raise TypeError("CompiledQuery reads forward select_related() relations only")
        related.append((info["field"].name, _loader(info, select)))
    return _Loader(
        model=klass_info["model"],
        columns=slice(columns[0], columns[-1] + 1),
        attnames=[column.target.attname for column, _, _ in select[columns[0] : columns[-1] + 1]],
        related=related,
    )


class CompiledQuery:
    """``build()``'s queryset, unsliced, compiled on first use on each database it runs on (the
    router's choice for reading its model, at each run); :meth:`rows` and :meth:`page` run it and
    make its rows into model instances as the ORM's ``ModelIterable`` does (model columns through
    ``from_db``, ``select_related()`` instances set on their foreign keys, annotations as
    attributes, the compiler's value converters applied)."""

    def __init__(self, build: Callable[[], models.QuerySet]):
        self._build = build
        self._model_class: type[models.Model] | None = None
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, alias: str) -> _Compiled:
        compiled = self._compiled.get(alias)
        if compiled is None:
            compiler = self._build().query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            converters = compiler.get_converters([expression for expression, _, _ in compiler.select])
            compiled = self._compiled[alias] = _Compiled(
                sql=sql,
                params=tuple(params),
                loader=_loader(compiler.klass_info, compiler.select),
                annotations=dict(compiler.annotation_col_map),
                converters=[
                    (position, functions, expression)
                    for position, (functions, expression) in converters.items()
                ],
            )
        return compiled

    def rows(self, **values) -> list[models.Model]:
        """Every row, with ``values`` in the slots."""
        return self._run("", [], values)

    def page(self, offset: int, limit: int, /, **values) -> list[models.Model]:
        """The rows from ``offset`` on, at most ``limit`` of them, with ``values`` in the slots."""
        # The compiled SQL ends with its ORDER BY: the page's bounds are parameters too.
        return self._run(" LIMIT %s OFFSET %s", [limit, offset], values)

    def _run(self, tail: str, tail_params: list, values: dict) -> list[models.Model]:
        alias = router.db_for_read(self._model())
        compiled = self._compile(alias)
        arguments = [values[param.name] if isinstance(param, Slot) else param for param in compiled.params]
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql + tail, [*arguments, *tail_params])
            rows = cursor.fetchall()
        instances = []
        for row in rows:
            if compiled.converters:
                row = list(row)
                for position, functions, expression in compiled.converters:
                    for convert in functions:
                        row[position] = convert(row[position], expression, connection)
            instance = compiled.loader.load(alias, row)
            for name, position in compiled.annotations.items():
                setattr(instance, name, row[position])
            instances.append(instance)
        return instances

    def _model(self) -> type[models.Model]:
        if self._model_class is None:
            self._model_class = self._build().model
        return self._model_class

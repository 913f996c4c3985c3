"""A queryset's SQL compiled by the ORM once per process, then run with other values.

Django compiles a queryset to SQL every time it runs it. For a page of a customer's rentals,
with its due dates, film and payment figures, building and compiling that query was two thirds
of the ORM's Python and a quarter of the request's (README, "Performance"): the same SQL each
time, only the customer and the page changing. :class:`CompiledQuery` asks the ORM for it once,
with a :class:`Slot` where each changing value goes, and runs it through ``QuerySet.raw()``,
which reads model instances with every annotation as an attribute, as the ORM would.

Only for a query whose shape never changes between runs: a list's filters, which do, keep the
ORM. ``rentals/tests/test_it_pages_customer_rentals_by_compiled_sql.py`` checks that both give
the same pages.
"""

from collections.abc import Callable

from django.db import models


class Slot(models.Expression):
    """Where a :class:`CompiledQuery` puts the value named ``name`` at each run (as a filter's
    value: ``filter(customer_id=Slot("customer_id", models.IntegerField()))``)."""

    def __init__(self, name: str, output_field: models.Field):
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler, connection):
        return "%s", [self]


class CompiledQuery:
    """``build()``'s queryset, unsliced, compiled on first use; :meth:`page` runs it."""

    def __init__(self, build: Callable[[], models.QuerySet]):
        self._build = build
        self._compiled = None

    def _compile(self):
        if self._compiled is None:
            queryset = self._build()
            sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
            self._compiled = queryset.model, queryset.db, sql, tuple(params)
        return self._compiled

    def page(self, offset: int, limit: int, /, **values) -> list[models.Model]:
        """The rows from ``offset`` on, at most ``limit`` of them, with ``values`` in the slots."""
        model, using, sql, params = self._compile()
        arguments = [values[param.name] if isinstance(param, Slot) else param for param in params]
        # The compiled SQL ends with its ORDER BY: the page's bounds are parameters too.
        return list(model.objects.raw(f"{sql} LIMIT %s OFFSET %s", [*arguments, limit, offset], using=using))

"""The ledger: every private or undocumented Django and DRF attribute the project touches, where,
and why; each test below pins one piece and fails naming the attribute an upgrade changed.

``pagila_site/compiled.py`` (CompiledQuery: rows past the ORM, compiled once; it serves the API
token lookup and a customer's unfiltered rentals)
    ``QuerySet.query.get_compiler(using=)`` and ``SQLCompiler.as_sql()``: the SQL and parameters;
    ``SQLCompiler.select`` (``(expression, sql, alias)`` triples, model columns as ``Col`` with
    ``Col.target``, the field), ``SQLCompiler.klass_info`` (``model``, ``select_fields``,
    ``related_klass_infos`` with ``field`` and ``reverse``), ``SQLCompiler.annotation_col_map``
    and ``SQLCompiler.get_converters()``: how the ORM reads a row back.
``pagila_site/api/pagination.py`` and ``pagila_site/backoffice/csv_export.py``
    ``Query.sql_with_params()``: a queryset's SQL for a bounded ``count(*)`` and for PostgreSQL's
    ``COPY``; csv_export's own tests also pin ``ForeignKey.target_field``.
``pagila_site/serving/app.py`` (ThreadPoolHandler: sync views on a fixed pool, one thread hop)
    ``BaseHandler.load_middleware(is_async=False)`` and ``get_response()``;
    ``ASGIHandler.read_body()``, ``create_request()``, ``send_response()``, ``chunk_bytes()``,
    ``listen_for_disconnect()``; ``django.core.handlers.asgi.get_script_prefix``;
    ``django.core.exceptions.RequestAborted``.
``pagila_site/api/serializers.py`` (PlannedSerializer)
    ``rest_framework.fields.is_simple_callable``: which source values DRF calls.
``films/serializers.py``
    ``Serializer._declared_fields``: the film detail's fields, to name a read-only key.
``pagila_site/serving/catalogue_cache/middleware.py``
    ``HttpRequest._get_scheme()``: the scheme before the proxy settings apply.

Not in the ledger: what Django documents (``Model._meta``, ``_default_manager``, ``from_db``,
``Page``, ``Paginator``, ``Expression.as_sql``, ``connection.cursor()``, ``router``).
"""

import inspect

import pytest
from django.core.handlers.asgi import ASGIHandler
from django.db import models
from django.db.models.expressions import Col
from django.http import HttpRequest
from rest_framework import fields as drf_fields

from pagila_site.compiled import Slot
from pagila_site.models import ApiToken

pytestmark = pytest.mark.django_db


def _has(owner, name: str, where: str) -> None:
    assert hasattr(owner, name), f"{owner.__qualname__}.{name} is gone: {where} depends on it"


def test_compiled_query_reads_the_sql_compilers_attributes():
    where = "pagila_site/compiled.py (CompiledQuery)"
    queryset = ApiToken.objects.select_related("user").filter(prefix=Slot("prefix", models.CharField()))
    query = queryset.query
    assert callable(getattr(query, "get_compiler", None)), f"Query.get_compiler is gone: {where}"
    compiler = query.get_compiler(using="default")
    sql, params = compiler.as_sql()
    assert isinstance(sql, str), f"SQLCompiler.as_sql() no longer gives (sql, params): {where}"
    assert any(isinstance(p, Slot) for p in params), f"SQLCompiler.as_sql() params changed: {where}"
    for name in ("select", "klass_info", "annotation_col_map", "get_converters"):
        assert hasattr(compiler, name), f"SQLCompiler.{name} is gone: {where} depends on it"
    first = compiler.select[0]
    assert len(first) == 3, f"SQLCompiler.select no longer holds (Col, sql, alias) triples: {where}"
    assert isinstance(first[0], Col), f"SQLCompiler.select no longer holds Col for columns: {where}"
    assert first[0].target is ApiToken._meta.pk, f"Col.target is no longer the column's field: {where}"
    klass_info = compiler.klass_info
    for key in ("model", "select_fields", "related_klass_infos"):
        assert key in klass_info, f"SQLCompiler.klass_info[{key!r}] is gone: {where}"
    (user_info,) = klass_info["related_klass_infos"]
    for key in ("model", "select_fields", "field", "reverse"):
        assert key in user_info, f"SQLCompiler.klass_info related_klass_infos[{key!r}] is gone: {where}"
    assert user_info["field"] is ApiToken._meta.get_field("user"), f"klass_info 'field' changed: {where}"
    assert isinstance(compiler.annotation_col_map, dict), f"SQLCompiler.annotation_col_map changed: {where}"
    converters = compiler.get_converters([expression for expression, _, _ in compiler.select])
    assert isinstance(converters, dict), f"SQLCompiler.get_converters() no longer gives a dict: {where}"


def test_counting_and_exports_read_a_querysets_sql():
    where = "pagila_site/api/pagination.py (bounded_count), pagila_site/backoffice/csv_export.py"
    query = ApiToken.objects.filter(prefix="x").query
    assert callable(getattr(query, "sql_with_params", None)), f"Query.sql_with_params is gone: {where}"
    sql, params = query.sql_with_params()
    assert isinstance(sql, str), f"Query.sql_with_params() changed: {where}"
    assert tuple(params) == ("x",), f"Query.sql_with_params() changed: {where}"


@pytest.mark.parametrize(
    "name",
    [
        "load_middleware",
        "get_response",
        "read_body",
        "create_request",
        "send_response",
        "chunk_bytes",
        "listen_for_disconnect",
    ],
)
def test_sync_views_builds_on_the_asgi_handlers_methods(name):
    where = "pagila_site/serving/app.py (ThreadPoolHandler)"
    _has(ASGIHandler, name, where)
    signatures = {
        "load_middleware": ["self", "is_async"],
        "get_response": ["self", "request"],
        "read_body": ["self", "receive"],
        "create_request": ["self", "scope", "body_file"],
        "send_response": ["self", "response", "send"],
        "chunk_bytes": ["cls", "data"],
        "listen_for_disconnect": ["self", "receive"],
    }
    parameters = list(
        inspect.signature(
            inspect.getattr_static(ASGIHandler, name).__func__
            if name == "chunk_bytes"
            else getattr(ASGIHandler, name)
        ).parameters
    )
    assert parameters == signatures[name], f"ASGIHandler.{name}{parameters} changed: {where}"
    async_methods = {"read_body", "send_response", "listen_for_disconnect"}
    assert inspect.iscoroutinefunction(getattr(ASGIHandler, name)) == (name in async_methods), (
        f"ASGIHandler.{name} changed between sync and async: {where}"
    )


def test_sync_views_uses_the_asgi_modules_helpers():
    where = "pagila_site/serving/app.py (ThreadPoolHandler)"
    from django.core import exceptions
    from django.core.handlers import asgi

    assert callable(getattr(asgi, "get_script_prefix", None)), f"asgi.get_script_prefix is gone: {where}"
    assert asgi.get_script_prefix({"root_path": "/x"}) == "/x", f"asgi.get_script_prefix changed: {where}"
    assert hasattr(exceptions, "RequestAborted"), f"django.core.exceptions.RequestAborted is gone: {where}"


def test_planned_serializer_asks_drf_which_values_to_call():
    where = "pagila_site/api/serializers.py (PlannedSerializer)"
    assert callable(getattr(drf_fields, "is_simple_callable", None)), (
        f"rest_framework.fields.is_simple_callable is gone: {where}"
    )
    assert drf_fields.is_simple_callable(lambda: 1), (
        f"rest_framework.fields.is_simple_callable changed: {where}"
    )
    assert not drf_fields.is_simple_callable(lambda x: x), f"is_simple_callable changed: {where}"


def test_the_film_serializers_declared_fields():
    from films.serializers import FilmDetailSerializer

    where = "films/serializers.py (the streaming change names read-only keys)"
    declared = getattr(FilmDetailSerializer, "_declared_fields", None)
    assert isinstance(declared, dict), f"Serializer._declared_fields changed: {where}"
    assert "title" in declared, f"Serializer._declared_fields changed: {where}"


def test_the_catalogue_cache_reads_the_requests_own_scheme():
    where = "pagila_site/serving/catalogue_cache/middleware.py"
    _has(HttpRequest, "_get_scheme", where)
    assert HttpRequest()._get_scheme() == "http", f"HttpRequest._get_scheme() changed: {where}"

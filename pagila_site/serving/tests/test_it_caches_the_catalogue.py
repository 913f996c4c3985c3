"""Catalogue pages are served from memory until the database says they changed.

These tests commit (the notifications that invalidate the cache are only sent on commit), so
each puts back what it changed in Pagila's tables.
"""

import asyncio
import json
import logging

import pytest
from django.db import connection

from pagila_site.serving.catalogue_cache.store import cache
from pagila_site.serving.logging import JsonFormatter
from pagila_site.testsupport.asgi import asgi_get
from pagila_site.testsupport.concurrency import wait_until
from pagila_site.testsupport.rentals import rent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cache_on(settings):
    settings.CATALOGUE_CACHE_ENABLED = True
    cache.ensure_listening()
    wait_until(cache.listening.is_set)
    cache.invalidate()
    yield cache
    cache.invalidate()


def _sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _changed_since(generation):
    return lambda: cache.generation != generation


def test_it_answers_a_repeated_page_without_touching_the_database(
    client, cache_on, django_assert_num_queries
):
    first = client.get("/api/v1/films/?category=action&page_size=5")
    with django_assert_num_queries(0):
        second = client.get("/api/v1/films/?category=action&page_size=5")
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == "application/json"
    assert second["ETag"] == first["ETag"]


def test_it_sees_a_change_committed_by_plain_sql(client, cache_on):
    assert client.get("/api/v1/films/1/").json()["title"] == "ACADEMY DINOSAUR"
    generation = cache.generation
    try:
        _sql("UPDATE film SET title = 'ACADEMY DINOSAUR II' WHERE film_id = 1")
        wait_until(_changed_since(generation))
        assert client.get("/api/v1/films/1/").json()["title"] == "ACADEMY DINOSAUR II"
        assert client.get("/api/v1/films/?page_size=1").json()["results"][0]["title"] == "ACADEMY DINOSAUR II"
    finally:
        _sql("UPDATE film SET title = 'ACADEMY DINOSAUR' WHERE film_id = 1")


def test_a_rental_refreshes_copies_in_stock(client, cache_on, auth_client):
    before = client.get("/api/v1/films/1/").json()["copies"]
    generation = cache.film_generation(1)
    created = rent(auth_client, 1, 1)  # inventory 1 is a copy of film 1
    assert created.status_code == 201
    try:
        wait_until(lambda: cache.film_generation(1) != generation)
        after = client.get("/api/v1/films/1/").json()["copies"]
        assert after == {"total": before["total"], "in_stock": before["in_stock"] - 1}
    finally:
        _sql("DELETE FROM rental WHERE rental_id = %s", [created.json()["rental_id"]])


def test_a_hold_or_a_transfer_refreshes_copies_in_stock(client, cache_on, auth_client):
    """A copy set aside for a hold, or sent to another store, leaves the film's stock at once."""
    in_stock = client.get("/api/v1/films/1/").json()["copies"]["in_stock"]
    generation = cache.film_generation(1)
    hold = auth_client.post("/api/v1/customers/1/holds/", {"film_id": 1, "store_id": 1}, format="json")
    assert hold.json()["status"] == "ready"
    try:
        wait_until(lambda: cache.film_generation(1) != generation)
        assert client.get("/api/v1/films/1/").json()["copies"]["in_stock"] == in_stock - 1
        generation = cache.film_generation(1)
        copy = 2 if hold.json()["inventory_id"] == 1 else 1  # both copies of film 1 at store 1
        sent = auth_client.post("/api/v1/transfers/", {"inventory_id": copy, "to_store_id": 2}, format="json")
        assert sent.status_code == 201, sent.json()
        wait_until(lambda: cache.film_generation(1) != generation)
        assert client.get("/api/v1/films/1/").json()["copies"]["in_stock"] == in_stock - 2
        generation = cache.film_generation(1)
        auth_client.post(f"/api/v1/holds/{hold.json()['hold_id']}/cancel/")
        wait_until(lambda: cache.film_generation(1) != generation)
        assert client.get("/api/v1/films/1/").json()["copies"]["in_stock"] == in_stock - 1
    finally:
        _sql("DELETE FROM transfer")
        _sql("DELETE FROM hold")


def test_a_rental_drops_only_its_films_cached_detail(
    client, cache_on, auth_client, django_assert_num_queries
):
    for path in ("/api/v1/films/1/", "/api/v1/films/2/", "/api/v1/films/?page_size=3"):
        client.get(path)
    everything, generation = cache.generation, cache.film_generation(1)
    created = rent(auth_client, 1, 1)
    assert created.status_code == 201
    try:
        wait_until(lambda: cache.film_generation(1) != generation)
        assert cache.generation == everything
        with django_assert_num_queries(0):
            assert client.get("/api/v1/films/2/").status_code == 200
            assert client.get("/api/v1/films/?page_size=3").status_code == 200
        with django_assert_num_queries(1):
            assert client.get("/api/v1/films/1/").status_code == 200
    finally:
        _sql("DELETE FROM rental WHERE rental_id = %s", [created.json()["rental_id"]])


def test_a_pretty_printed_page_is_never_served_to_other_clients(client, cache_on):
    pretty = client.get("/api/v1/films/?page_size=2", HTTP_ACCEPT="application/json; indent=8")
    assert b'\n        "count"' in pretty.content
    plain = client.get("/api/v1/films/?page_size=2")
    assert b"\n" not in plain.content
    assert plain.json() == pretty.json()
    assert b"\n" not in client.get("/api/v1/films/?page_size=2", HTTP_ACCEPT="application/json").content


def test_repeated_filters_in_another_order_are_different_pages(client, cache_on, settings):
    settings.CATALOGUE_CACHE_ENABLED = False
    drama_last = client.get("/api/v1/films/?category=action&category=drama&page_size=100").json()
    action_last = client.get("/api/v1/films/?category=drama&category=action&page_size=100").json()
    assert drama_last != action_last
    settings.CATALOGUE_CACHE_ENABLED = True
    assert client.get("/api/v1/films/?category=drama&category=action&page_size=100").json() == action_last
    assert client.get("/api/v1/films/?category=action&category=drama&page_size=100").json() == drama_last
    assert client.get("/api/v1/films/?category=drama&category=action&page_size=100").json() == action_last


def test_it_stores_nothing_that_varies_on_a_header_outside_its_key():
    from django.http import HttpResponse

    from pagila_site.serving.catalogue_cache.keys import storable

    assert storable(HttpResponse(status=200, headers={"Vary": "Accept, Origin"}))
    assert not storable(HttpResponse(status=200, headers={"Vary": "Accept, Accept-Language"}))
    assert not storable(HttpResponse(status=200, headers={"Vary": "*"}))
    assert not storable(HttpResponse(status=404))


def test_it_answers_304_from_the_cache(client, cache_on):
    etag = client.get("/api/v1/categories/")["ETag"]
    response = client.get("/api/v1/categories/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag


def test_it_never_serves_a_cached_page_to_a_request_with_credentials(client, cache_on):
    client.get("/api/v1/films/2/")
    response = client.get("/api/v1/films/2/", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401


def test_it_neither_stores_nor_serves_requests_with_cookies(client, cache_on):
    client.get("/api/v1/films/6/", HTTP_COOKIE="sessionid=x")
    assert len(cache) == 0


def test_it_stops_serving_from_memory_when_the_listener_is_down(client, cache_on, django_assert_num_queries):
    client.get("/api/v1/films/3/")
    cache.listening.clear()
    try:
        with django_assert_num_queries(1):
            client.get("/api/v1/films/3/")
    finally:
        cache.listening.set()


def test_the_asgi_fast_path_answers_a_hit_without_entering_django(client, cache_on):
    from pagila_site.serving.catalogue_cache.fast_path import CatalogueFastPath

    page = client.get("/api/v1/films/4/")
    messages, called = asgi_get(CatalogueFastPath, "/api/v1/films/4", headers=[(b"x-request-id", b"abc")])
    assert called == []
    start, body = messages
    headers = dict(start["headers"])
    assert start["status"] == 200
    assert body["body"] == page.content
    assert headers[b"x-request-id"] == b"abc"
    assert headers[b"content-type"] == b"application/json"
    assert headers[b"x-content-type-options"] == b"nosniff"


def test_the_asgi_fast_path_logs_a_hit_as_the_request_log_would(client, cache_on, caplog):
    from pagila_site.serving.catalogue_cache.fast_path import CatalogueFastPath

    client.get("/api/v1/films/?page_size=3&api_key=abc")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="pagila.request"):
        _messages, called = asgi_get(CatalogueFastPath, "/api/v1/films/", b"page_size=3&api_key=abc")
    assert called == []
    (record,) = [r for r in caplog.records if r.name == "pagila.request"]
    line = json.loads(JsonFormatter().format(record))
    assert (line["status"], line["query"]) == (200, "page_size=3&api_key=***")
    # Requests with credentials never reach the cache: a hit is always anonymous.
    assert (line["user"], line["token_prefix"]) == ("anonymous", None)


def test_the_asgi_fast_path_keeps_pages_of_different_hosts_apart(client, cache_on):
    from pagila_site.serving.catalogue_cache.fast_path import CatalogueFastPath

    client.get("/api/v1/films/?page_size=2")  # cached for Host: testserver
    _messages, called = asgi_get(
        CatalogueFastPath, "/api/v1/films/", b"page_size=2", headers=[(b"host", b"other.example")]
    )
    assert called == ["/api/v1/films/"]  # a miss: Django decides about that host


def test_the_asgi_fast_path_passes_credentials_to_django(client, cache_on):
    from pagila_site.serving.catalogue_cache.fast_path import CatalogueFastPath

    client.get("/api/v1/films/5/")
    _messages, called = asgi_get(
        CatalogueFastPath, "/api/v1/films/5/", headers=[(b"authorization", b"Bearer x")]
    )
    assert called == ["/api/v1/films/5/"]


def test_the_asgi_fast_path_keeps_pages_of_different_origins_and_accepts_apart(client, cache_on):
    from pagila_site.serving.catalogue_cache.fast_path import CatalogueFastPath

    client.get("/api/v1/films/7/", HTTP_ORIGIN="https://pos.example")
    _messages, called = asgi_get(
        CatalogueFastPath, "/api/v1/films/7/", headers=[(b"origin", b"https://pos.example")]
    )
    assert called == []
    for other in ([(b"origin", b"https://other.example")], [], [(b"accept", b"application/json; indent=4")]):
        _messages, called = asgi_get(CatalogueFastPath, "/api/v1/films/7/", headers=other)
        assert called == ["/api/v1/films/7/"]


def _fast_path(method, path, headers=()):
    from pagila_site.serving.catalogue_cache.fast_path import CatalogueFastPath

    messages, called = [], []

    async def django(scope, receive, send):
        called.append(scope["path"])

    async def send(message):
        messages.append(message)

    scope = {
        "type": "http",
        "method": method,
        "scheme": "http",
        "path": path,
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), *headers],
    }
    asyncio.run(CatalogueFastPath(django)(scope, None, send))
    assert called == []  # answered from the cache
    start, body = messages
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body["body"]


def _django(response):
    headers = {name.lower(): value for name, value in response.items()}
    return response.status_code, headers, response.content


@pytest.mark.parametrize(
    ("method", "conditional"), [("GET", False), ("HEAD", False), ("GET", True), ("HEAD", True)]
)
def test_a_hit_is_answered_alike_before_django_and_inside_it(
    client, cache_on, django_assert_num_queries, method, conditional
):
    etag = client.get("/api/v1/films/8/")["ETag"]
    headers = {"HTTP_IF_NONE_MATCH": etag} if conditional else {}
    with django_assert_num_queries(0):  # a hit inside Django too
        inside = _django(client.generic(method, "/api/v1/films/8/", **headers))
    before = _fast_path(
        method, "/api/v1/films/8/", [(b"if-none-match", etag.encode())] if conditional else []
    )
    # Each has a request id of its own.
    assert inside[1].pop("x-request-id")
    assert before[1].pop("x-request-id")
    assert before == inside
    assert before[0] == (304 if conditional else 200)
    assert (before[2] == b"") == (conditional or method == "HEAD")

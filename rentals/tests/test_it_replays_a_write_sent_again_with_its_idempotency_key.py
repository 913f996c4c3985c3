"""A rental or a return repeated with its Idempotency-Key gets the first answer again and writes nothing.

The mechanism is every writing POST's (``pagila_site.api.idempotency``); renting shows it best.
"""

import json

import pytest

from pagila_site.testsupport.data import sql_one
from pagila_site.testsupport.rentals import rent

pytestmark = pytest.mark.django_db


def _rental_count() -> int:
    return sql_one("SELECT count(*) FROM rental")[0]


def test_it_rents_once_and_answers_the_repeat_with_the_first_answer(auth_client, copy_in_stock):
    before = _rental_count()
    first = rent(auth_client, 1, copy_in_stock, idempotency_key="till-3-0001")
    again = rent(auth_client, 1, copy_in_stock, idempotency_key="till-3-0001")

    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again["Location"] == first["Location"] == f"/api/v1/rentals/{first.json()['rental_id']}/"
    assert _rental_count() == before + 1


def test_it_rents_twice_without_a_key(auth_client, copy_in_stock):
    first = rent(auth_client, 1, copy_in_stock)
    auth_client.post(f"/api/v1/rentals/{first.json()['rental_id']}/return/")
    again = rent(auth_client, 1, copy_in_stock)
    assert again.status_code == 201
    assert again.json()["rental_id"] != first.json()["rental_id"]


def test_it_replays_a_return_instead_of_answering_already_returned(auth_client, copy_out):
    rental_id = sql_one(
        "SELECT rental_id FROM rental WHERE inventory_id = %s AND return_date IS NULL", [copy_out]
    )[0]
    path = f"/api/v1/rentals/{rental_id}/return/"
    first = auth_client.post(path, HTTP_IDEMPOTENCY_KEY="return-1")
    again = auth_client.post(path, HTTP_IDEMPOTENCY_KEY="return-1")

    assert first.status_code == 200
    assert (again.status_code, again["Idempotent-Replayed"]) == (200, "true")
    assert again.json() == first.json()


def test_it_takes_a_body_with_its_keys_reordered_and_spaced_as_the_same(auth_client, copy_in_stock):
    path = "/api/v1/customers/1/rentals/"
    first = auth_client.post(
        path,
        json.dumps({"inventory_id": copy_in_stock, "staff_id": 1}, separators=(",", ":")),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="reordered",
    )
    again = auth_client.post(
        path,
        f'{{ "staff_id": 1,\n  "inventory_id": {copy_in_stock} }}',
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="reordered",
    )
    assert first.status_code == 201
    assert (again.status_code, again["Idempotent-Replayed"]) == (201, "true")
    assert again.json() == first.json()


def test_it_takes_the_path_without_its_trailing_slash_as_the_same(auth_client, copy_in_stock):
    body = {"inventory_id": copy_in_stock, "staff_id": 1}
    first = auth_client.post(
        "/api/v1/customers/1/rentals/", body, format="json", HTTP_IDEMPOTENCY_KEY="slash"
    )
    again = auth_client.post("/api/v1/customers/1/rentals", body, format="json", HTTP_IDEMPOTENCY_KEY="slash")
    assert (again.status_code, again["Idempotent-Replayed"]) == (201, "true")
    assert again.json() == first.json()


def test_it_replays_a_409_even_once_the_copy_is_back_in_stock(auth_client, copy_out):
    first = rent(auth_client, 1, copy_out, idempotency_key="out-copy")
    sql_one(
        "UPDATE rental SET return_date = now() WHERE inventory_id = %s AND return_date IS NULL RETURNING 1",
        [copy_out],
    )
    before = _rental_count()
    again = rent(auth_client, 1, copy_out, idempotency_key="out-copy")

    assert first.status_code == 409
    assert (again.status_code, again["Idempotent-Replayed"]) == (409, "true")
    assert (
        again.json()
        == first.json()
        == {"detail": "This copy is out on an open rental.", "code": "not_in_stock"}
    )
    assert _rental_count() == before


def test_it_replays_a_400(auth_client):
    first = rent(auth_client, 1, 999999, idempotency_key="unknown-copy")
    again = rent(auth_client, 1, 999999, idempotency_key="unknown-copy")

    assert first.status_code == 400
    assert (again.status_code, again["Idempotent-Replayed"]) == (400, "true")
    assert (
        again.json()
        == first.json()
        == {
            "detail": "Invalid input: inventory_id: No copy with inventory id 999999.",
            "code": "invalid",
            "errors": {"inventory_id": ["No copy with inventory id 999999."]},
        }
    )

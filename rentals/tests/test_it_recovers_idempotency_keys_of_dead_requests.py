"""Idempotency keys in the odd cases: a first request that died, unusual bodies and paths, and a
refusal given before the write (an unknown customer) kept as the key's answer."""

import pytest

from pagila_site.models import IdempotencyKey
from pagila_site.testsupport.data import sql_one
from pagila_site.testsupport.rentals import rent

pytestmark = pytest.mark.django_db


def _claim_of_a_dead_session(user, key: str, path: str, fingerprint: str) -> IdempotencyKey:
    # A claim without an answer whose database session no longer exists (no session has pid 0).
    return IdempotencyKey.objects.create(
        user=user, key=key, method="POST", path=path, fingerprint=fingerprint, backend_pid=0
    )


def test_a_key_whose_first_request_died_runs_again(auth_client, staff_user, copy_in_stock):
    from pagila_site.api.idempotency import body_fingerprint

    body = {"inventory_id": copy_in_stock, "staff_id": 1}
    _claim_of_a_dead_session(staff_user, "died-1", "/api/v1/customers/1/rentals/", body_fingerprint(body))
    response = rent(auth_client, 1, copy_in_stock, idempotency_key="died-1")
    assert response.status_code == 201
    again = rent(auth_client, 1, copy_in_stock, idempotency_key="died-1")
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == response.json()


def test_a_key_whose_first_request_still_runs_is_in_progress(auth_client, staff_user, copy_in_stock):
    from django.db import connection

    from pagila_site.api.idempotency import body_fingerprint

    body = {"inventory_id": copy_in_stock, "staff_id": 1}
    row = _claim_of_a_dead_session(
        staff_user, "alive-1", "/api/v1/customers/1/rentals/", body_fingerprint(body)
    )
    # This very session claims it: alive.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pagila_site_idempotencykey SET backend_pid = pg_backend_pid(), backend_start = "
            "(SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()) WHERE id = %s",
            [row.pk],
        )
    response = rent(auth_client, 1, copy_in_stock, idempotency_key="alive-1")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_in_progress"


def test_a_body_with_a_lone_surrogate_is_fingerprinted(auth_client, copy_in_stock):
    # The JSON escape as a client sends it: valid JSON, a string no UTF-8 can hold.
    body = f'{{"inventory_id": {copy_in_stock}, "staff_id": 1, "note": "\\ud800"}}'
    response = auth_client.generic(
        "POST",
        "/api/v1/customers/1/rentals/",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="surrogate",
    )
    assert response.status_code == 201


def test_a_long_path_is_kept(auth_client, copy_in_stock):
    zeros = "0" * 2100
    response = auth_client.post(
        f"/api/v1/customers/{zeros}1/rentals/",
        {"inventory_id": copy_in_stock, "staff_id": 1},
        format="json",
        HTTP_IDEMPOTENCY_KEY="long-path",
    )
    assert response.status_code == 201


def test_an_unknown_customers_404_is_the_keys_answer(auth_client, copy_in_stock):
    first = rent(auth_client, 999999, copy_in_stock, idempotency_key="nobody")
    assert first.status_code == 404
    again = rent(auth_client, 999999, copy_in_stock, idempotency_key="nobody")
    assert (again.status_code, again["Idempotent-Replayed"]) == (404, "true")
    other = rent(auth_client, 1, copy_in_stock, idempotency_key="nobody")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert sql_one(
        "SELECT count(*) FROM rental WHERE inventory_id = %s AND return_date IS NULL", [copy_in_stock]
    ) == (0,)

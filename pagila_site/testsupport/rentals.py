"""Renting a copy through the API, the way a till does, and what a rental owes by the contract's rule."""

from datetime import timedelta
from decimal import Decimal

from pagila_site.testsupport.data import sql_one


def rent(
    client,
    customer_id: int,
    inventory_id: int | None = None,
    *,
    staff_id: int = 1,
    body=None,
    idempotency_key: str | None = None,
):
    """``POST /api/v1/customers/{customer_id}/rentals/``; the response.

    The body is ``{"inventory_id", "staff_id"}``, or ``body`` exactly as given (any JSON: the
    refusal tests send missing fields and bodies that are not objects). ``idempotency_key`` is
    sent as the ``Idempotency-Key`` header.
    """
    if body is None:
        body = {"inventory_id": inventory_id, "staff_id": staff_id}
    headers = {} if idempotency_key is None else {"HTTP_IDEMPOTENCY_KEY": idempotency_key}
    return client.post(f"/api/v1/customers/{customer_id}/rentals/", body, format="json", **headers)


def pagila_fee(film: dict, rental_date, returned_at) -> Decimal:
    """Pagila's fee rule, from the contract, in plain Decimal and datetime arithmetic.

    ``film`` is ``data.film_of()``'s; an open rental owes the fee with ``returned_at`` now.
    """
    duration = timedelta(days=film["rental_duration"])
    days_late = max(0, (returned_at - (rental_date + duration)) // timedelta(days=1))
    lost = film["replacement_cost"] if returned_at - rental_date > 2 * duration else Decimal("0")
    return film["rental_rate"] + days_late + lost


def amount_paid(rental_id: int) -> Decimal:
    """The sum of the rental's payments, by plain SQL."""
    return sql_one("SELECT coalesce(sum(amount), 0) FROM payment WHERE rental_id = %s", [rental_id])[0]


def pay(client, rental_id: int, amount="1.00", *, staff_id: int = 1, body=None, idempotency_key=None):
    """``POST /api/v1/rentals/{rental_id}/payments/``; the response (``body`` as given, if given;
    ``idempotency_key`` as the ``Idempotency-Key`` header)."""
    if body is None:
        body = {"amount": amount, "staff_id": staff_id}
    headers = {} if idempotency_key is None else {"HTTP_IDEMPOTENCY_KEY": idempotency_key}
    return client.post(f"/api/v1/rentals/{rental_id}/payments/", body, format="json", **headers)


def returned_rental(inventory_id: int, days: int, customer_id: int = 1) -> int:
    """A rental of ours, rented ``days`` days before the database's now and returned now."""
    return sql_one(
        "INSERT INTO rental (rental_date, inventory_id, customer_id, staff_id, return_date) "
        "VALUES (statement_timestamp() - make_interval(days => %s), %s, %s, 1, statement_timestamp()) "
        "RETURNING rental_id",
        [days, inventory_id, customer_id],
    )[0]

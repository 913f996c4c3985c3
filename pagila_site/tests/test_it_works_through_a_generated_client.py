"""The contract's "OpenAPI": a client generated from ``/api/schema/`` works as is.

openapi-python-client generates a Python client from the schema a live server serves (uvicorn on
a private clone of the template, as ``make run`` serves it), and a till's day goes through that
client alone: find a film, rent a copy, read the rental, return it, and pay what it owes.
Generation needs no network beyond the server (the generator is installed with the development
requirements) and no other tool: its post-hooks, which would run ruff over the generated code,
are switched off.
"""

import importlib
import json
import subprocess
import sys

import pytest

from pagila_site.management.commands.ensure_dev_access import DEV_TOKEN
from pagila_site.testsupport import live

pytestmark = pytest.mark.full_data

PACKAGE = "pagila_client"
# ACADEMY DINOSAUR's first copy: store 1's, in stock in Pagila.
FILM_ID, COPY = 1, 1


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    with live.live_server(
        "test_generated_client", django_db_blocker, env={"DJANGO_DEBUG": "false"}
    ) as running:
        yield running


@pytest.fixture(scope="module")
def generated(server, tmp_path_factory):
    """The generated package, importable as ``pagila_client`` for the module's tests."""
    folder = tmp_path_factory.mktemp("generated")
    config = folder / "config.json"
    config.write_text(json.dumps({"post_hooks": []}))
    result = subprocess.run(
        [
            sys.executable, "-m", "openapi_python_client", "generate",
            "--url", f"{server.url}/api/schema/",
            "--meta", "none",  # the package alone: no pyproject.toml to build
            "--config", str(config),
            "--output-path", str(folder / PACKAGE),
            "--fail-on-warning",  # a construct it skips would leave an endpoint or model out
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


@pytest.fixture
def client(generated, server):
    return generated.AuthenticatedClient(
        base_url=server.url, token=DEV_TOKEN, raise_on_unexpected_status=True
    )


def _parsed(response, status: int = 200):
    """The body the generated client parsed, once the status is the one expected."""
    assert response.status_code == status, response.content
    return response.parsed


def test_it_rents_and_returns_a_copy_through_the_generated_client(client):
    # Imported as a user of the client would: each tag's operations are a module of its own.
    from pagila_client.api.films import films_list
    from pagila_client.api.payments import payments_list, rentals_payments_create
    from pagila_client.api.rentals import customers_rentals_create, rentals_retrieve, rentals_return_create
    from pagila_client.models import PaymentCreate, RentalCreate, RentalReturn

    films = _parsed(films_list.sync_detailed(client=client, title="ACADEMY DINOSAUR"))
    assert [(film.film_id, film.title) for film in films.results] == [(FILM_ID, "ACADEMY DINOSAUR")]
    film = films.results[0]

    body = RentalCreate(inventory_id=COPY, staff_id=1)
    created = customers_rentals_create.sync_detailed(customer_id=1, client=client, body=body)
    rental = _parsed(created, 201)
    assert created.headers["Location"] == f"/api/v1/rentals/{rental.rental_id}/"
    assert (rental.customer_id, rental.inventory_id, rental.film.film_id) == (1, COPY, FILM_ID)
    assert rental.return_date is None

    read = _parsed(rentals_retrieve.sync_detailed(rental_id=rental.rental_id, client=client))
    assert read.to_dict() == rental.to_dict()

    returned = _parsed(
        rentals_return_create.sync_detailed(rental_id=rental.rental_id, client=client, body=RentalReturn())
    )
    assert returned.rental_id == rental.rental_id
    assert returned.return_date is not None
    # Returned at once: the rental rate and nothing more, not paid yet.
    assert returned.amount_due == film.rental_rate
    assert returned.balance == film.rental_rate

    body = PaymentCreate(amount=returned.balance, staff_id=1)
    paid = rentals_payments_create.sync_detailed(rental_id=rental.rental_id, client=client, body=body)
    payment = _parsed(paid, 201)
    assert paid.headers["Location"] == f"/api/v1/payments/{payment.payment_id}/"
    assert (payment.rental_id, payment.customer_id, payment.amount) == (rental.rental_id, 1, film.rental_rate)
    payments = _parsed(payments_list.sync_detailed(client=client, rental_id=rental.rental_id))
    assert [p.payment_id for p in payments.results] == [payment.payment_id]
    settled = _parsed(rentals_retrieve.sync_detailed(rental_id=rental.rental_id, client=client))
    assert (settled.amount_paid, settled.balance) == (film.rental_rate, "0.00")

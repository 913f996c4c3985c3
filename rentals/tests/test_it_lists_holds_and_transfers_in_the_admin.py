"""The hold and transfer changelists: read-only (holds and transfers are written at the counter
and through the API), scoped to the clerk's stores, filtered by status and store, another store's
customer shown by id alone; their CSV holds every row the filters match (see
``test_it_exports_holds_and_transfers_as_csv.py``)."""

import pytest

from customers.scope import EVERY_STORE
from pagila_site.testsupport.data import sql_all, sql_one
from pagila_site.testsupport.queries import queries
from rentals.holds import hold_place
from rentals.transfers import transfer_send

pytestmark = pytest.mark.django_db


def _in_stock(store_id: int, count: int) -> list[int]:
    rows = sql_all(
        "SELECT inventory_id FROM inventory i WHERE store_id = %s AND NOT EXISTS ("
        "  SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL"
        ") ORDER BY inventory_id LIMIT %s",
        [store_id, count],
    )
    return [row[0] for row in rows]


def _film_of(copy: int) -> int:
    return sql_one("SELECT film_id FROM inventory WHERE inventory_id = %s", [copy])[0]


def _customer(store_id: int, offset: int = 0) -> tuple[int, str, str]:
    return sql_one(
        "SELECT customer_id, first_name, last_name FROM customer WHERE store_id = %s AND active = 1 "
        "ORDER BY customer_id LIMIT 1 OFFSET %s",
        [store_id, offset],
    )


@pytest.fixture
def holds() -> dict:
    """A ready hold at store 1 of a store 1 customer (``mine``), one at store 1 of a store 2
    customer (``visitor``), and one at store 2 of a store 2 customer (``theirs``)."""
    first, second = _in_stock(1, 2)
    theirs_copy = _in_stock(2, 1)[0]
    mine = _customer(1)[0]
    visitor = _customer(2)[0]
    return {
        "mine": hold_place(scope=EVERY_STORE, customer_id=mine, film_id=_film_of(first), store_id=1).pk,
        "visitor": hold_place(
            scope=EVERY_STORE, customer_id=visitor, film_id=_film_of(second), store_id=1
        ).pk,
        "theirs": hold_place(
            scope=EVERY_STORE, customer_id=_customer(2, 1)[0], film_id=_film_of(theirs_copy), store_id=2
        ).pk,
    }


def _listed(client, url) -> list[int]:
    response = client.get(url)
    assert response.status_code == 200
    return sorted(row.pk for row in response.context["cl"].result_list)


def test_a_clerk_sees_the_holds_of_their_stores_only(clerk_admin, holds):
    assert _listed(clerk_admin, "/admin/rentals/hold/") == sorted([holds["mine"], holds["visitor"]])
    assert clerk_admin.get(f"/admin/rentals/hold/{holds['theirs']}/change/").status_code == 302


def test_a_superuser_sees_every_hold(superuser_client, holds):
    assert _listed(superuser_client, "/admin/rentals/hold/") == sorted(holds.values())


def test_another_stores_customer_is_shown_by_id_only(clerk_admin, holds):
    visitor, first, last = _customer(2)
    for url in ("/admin/rentals/hold/", f"/admin/rentals/hold/{holds['visitor']}/change/"):
        html = clerk_admin.get(url).content.decode()
        assert f"#{visitor}" in html
        assert first not in html
        assert last not in html


def test_holds_are_filtered_by_status_and_store(superuser_client, holds):
    sql_one(
        "UPDATE hold SET expires_at = now() - interval '1 minute' WHERE hold_id = %s RETURNING 1",
        [holds["mine"]],
    )
    assert _listed(superuser_client, "/admin/rentals/hold/?status=expired") == [holds["mine"]]
    assert _listed(superuser_client, "/admin/rentals/hold/?status=ready") == sorted(
        [holds["visitor"], holds["theirs"]]
    )
    assert _listed(superuser_client, "/admin/rentals/hold/?status=waiting") == []
    assert _listed(superuser_client, "/admin/rentals/hold/?store_id=2") == [holds["theirs"]]
    # An unknown status is ignored, never an error page.
    assert _listed(superuser_client, "/admin/rentals/hold/?status=lost") == sorted(holds.values())


def test_holds_are_read_only_in_the_admin(superuser_client, holds):
    assert superuser_client.get("/admin/rentals/hold/add/").status_code == 403
    page = superuser_client.get(f"/admin/rentals/hold/{holds['mine']}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = superuser_client.post(f"/admin/rentals/hold/{holds['mine']}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert sql_one("SELECT status FROM hold WHERE hold_id = %s", [holds["mine"]]) == ("ready",)


@pytest.fixture
def transfers() -> dict:
    """In transit: a store 1 copy to store 2 (``going``), a store 2 copy to store 1 (``coming``),
    and a store 2 copy to store 3 (``elsewhere``, none of the clerk's stores)."""
    mine = _in_stock(1, 1)[0]
    coming, elsewhere = _in_stock(2, 2)
    return {
        "going": transfer_send(scope=EVERY_STORE, inventory_id=mine, to_store_id=2).pk,
        "coming": transfer_send(scope=EVERY_STORE, inventory_id=coming, to_store_id=1).pk,
        "elsewhere": transfer_send(scope=EVERY_STORE, inventory_id=elsewhere, to_store_id=3).pk,
    }


def test_a_clerk_sees_the_transfers_to_or_from_their_stores(clerk_admin, transfers):
    assert _listed(clerk_admin, "/admin/rentals/transfer/") == sorted(
        [transfers["going"], transfers["coming"]]
    )


def test_transfers_are_filtered_by_status_and_store(superuser_client, transfers):
    sql_one(
        "UPDATE transfer SET status = 'cancelled' WHERE transfer_id = %s RETURNING 1", [transfers["going"]]
    )
    assert _listed(superuser_client, "/admin/rentals/transfer/?status__exact=cancelled") == [
        transfers["going"]
    ]
    assert _listed(superuser_client, "/admin/rentals/transfer/?status__exact=in_transit") == sorted(
        [transfers["coming"], transfers["elsewhere"]]
    )
    # A store's transfers, sent from it or to it.
    assert _listed(superuser_client, "/admin/rentals/transfer/?store_id=3") == [transfers["elsewhere"]]
    assert _listed(superuser_client, "/admin/rentals/transfer/?store_id=1") == sorted(
        [transfers["going"], transfers["coming"]]
    )


def test_transfers_are_read_only_in_the_admin(superuser_client, transfers):
    assert superuser_client.get("/admin/rentals/transfer/add/").status_code == 403
    page = superuser_client.get(f"/admin/rentals/transfer/{transfers['going']}/change/")
    assert 'name="_save"' not in page.content.decode()


@pytest.mark.parametrize("changelist", ["hold", "transfer"])
def test_a_page_of_many_rows_runs_the_queries_of_one(superuser_client, query_baseline, changelist):
    """A per-row lookup (a customer, a film, a copy) would make the count grow with the rows."""
    copies = _in_stock(1, 6)
    url = f"/admin/rentals/{changelist}/"
    counts = []
    for batch in (copies[:1], copies[1:]):
        for copy in batch:
            if changelist == "hold":
                # A customer each: several of the copies are one film's.
                customer = _customer(1, copies.index(copy))[0]
                hold_place(scope=EVERY_STORE, customer_id=customer, film_id=_film_of(copy), store_id=1)
            else:
                transfer_send(scope=EVERY_STORE, inventory_id=copy, to_store_id=2)
        counts.append(queries(superuser_client, url))
    assert counts[0] == counts[1]
    query_baseline(counts[1])

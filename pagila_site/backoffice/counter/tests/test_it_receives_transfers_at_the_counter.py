"""The transfers page: copies travelling to or from the clerk's stores, received by one scan (the
copy's inventory id, or "T" and the transfer's id), sent and called back, through the services;
a copy received where a hold waits for its film is set aside and said so."""

import pytest

from customers.scope import EVERY_STORE
from pagila_site.testsupport.data import sql_one
from rentals.holds import hold_place
from rentals.transfers import transfer_send

pytestmark = pytest.mark.django_db


def _messages(client, response) -> list[str]:
    return [str(m) for m in client.get(response["Location"]).context["messages"]]


def _store_of(copy: int) -> int:
    return sql_one("SELECT store_id FROM inventory WHERE inventory_id = %s", [copy])[0]


@pytest.fixture
def coming_from_store_2(store_2_copy) -> int:
    """A transfer of a store 2 copy to store 1, sent by a superuser."""
    return transfer_send(scope=EVERY_STORE, inventory_id=store_2_copy, to_store_id=1).pk


def test_it_lists_transfers_coming_and_going(clerk_admin, coming_from_store_2, store_1_copies):
    going = transfer_send(scope=EVERY_STORE, inventory_id=store_1_copies[0], to_store_id=2).pk
    page = clerk_admin.get("/admin/counter/transfers/")
    assert [t.pk for t in page.context["coming"]] == [coming_from_store_2]
    assert [t.pk for t in page.context["going"]] == [going]
    html = page.content.decode()
    assert f"<td>T{coming_from_store_2}</td>" in html
    assert 'id="id_receive_scan"' in html


def test_one_scan_of_the_copy_receives_it(clerk_admin, coming_from_store_2, store_2_copy):
    response = clerk_admin.post("/admin/counter/transfers/receive/", {"scan": str(store_2_copy)})
    assert response["Location"] == "/admin/counter/transfers/?focus=receive"
    assert _store_of(store_2_copy) == 1
    assert sql_one(
        "SELECT status, received_by_id FROM transfer WHERE transfer_id = %s", [coming_from_store_2]
    ) == (
        "received",
        1,
    )
    messages = _messages(clerk_admin, response)
    assert messages[0].startswith(f"Transfer T{coming_from_store_2} received: copy {store_2_copy} (")
    assert messages[0].endswith(") is store 1's now.")
    assert messages[1] == f"No hold waits for it: put copy {store_2_copy} on the shelf."


def test_a_copy_sent_and_received_between_the_clerks_stores_serves_the_hold_there(
    clerk_admin, store_1_copies, desk_customer
):
    """Store 25 holds no copies: a hold there waits until the clerk sends one from store 1 and
    receives it, by its transfer id, at store 25."""
    copy = store_1_copies[0]
    film_id = sql_one("SELECT film_id FROM inventory WHERE inventory_id = %s", [copy])[0]
    hold = hold_place(scope=EVERY_STORE, customer_id=desk_customer, film_id=film_id, store_id=25)
    assert hold.status == "waiting"

    sent = clerk_admin.post("/admin/counter/transfers/send/", {"copy": str(copy), "to_store": "25"})
    assert sent["Location"] == "/admin/counter/transfers/?focus=send"
    transfer_id = sql_one("SELECT transfer_id FROM transfer WHERE inventory_id = %s", [copy])[0]
    assert _messages(clerk_admin, sent) == [
        f"Copy {copy} is on its way from store 1 to store 25 (transfer T{transfer_id})."
    ]

    received = clerk_admin.post("/admin/counter/transfers/receive/", {"scan": f"T{transfer_id}"})
    assert _store_of(copy) == 25
    assert sql_one("SELECT status, inventory_id FROM hold WHERE hold_id = %s", [hold.pk]) == ("ready", copy)
    first, last = sql_one(
        "SELECT first_name, last_name FROM customer WHERE customer_id = %s", [desk_customer]
    )
    assert _messages(clerk_admin, received)[1] == (
        f"Copy {copy} is set aside for hold {hold.pk} of {first} {last} (#{desk_customer}): put it on the "
        f'hold shelf with its <a href="/admin/counter/holds/{hold.pk}/slip/">slip</a>.'
    )


def test_a_copy_not_travelling_here_is_said_and_nothing_received(clerk_admin, store_1_copies):
    going = transfer_send(scope=EVERY_STORE, inventory_id=store_1_copies[0], to_store_id=2).pk
    response = clerk_admin.post("/admin/counter/transfers/receive/", {"scan": str(store_1_copies[0])})
    assert _messages(clerk_admin, response) == [
        f"Copy {store_1_copies[0]} is not in transit to any of your stores."
    ]
    # By its transfer id: the service's refusal (the clerk's store sent it).
    response = clerk_admin.post("/admin/counter/transfers/receive/", {"scan": f"t{going}"})
    assert _messages(clerk_admin, response) == [
        f"Transfer T{going} not received: Only staff of the destination store can receive this transfer."
    ]
    assert sql_one("SELECT status FROM transfer WHERE transfer_id = %s", [going]) == ("in_transit",)


@pytest.mark.parametrize(
    ("scan", "said"),
    [
        ("abc", "Not an inventory id or a transfer id (T42): abc."),
        ("T999999", "No transfer T999999 to or from your stores."),
    ],
)
def test_an_unreadable_or_unknown_scan_is_said(clerk_admin, scan, said):
    response = clerk_admin.post("/admin/counter/transfers/receive/", {"scan": scan})
    assert _messages(clerk_admin, response) == [said]


def test_a_copy_out_on_a_rental_is_not_sent(clerk_admin):
    out = sql_one(
        "SELECT min(r.inventory_id) FROM rental r JOIN inventory i USING (inventory_id) "
        "WHERE r.return_date IS NULL AND i.store_id = 1"
    )[0]
    response = clerk_admin.post("/admin/counter/transfers/send/", {"copy": str(out), "to_store": "2"})
    assert _messages(clerk_admin, response) == [f"Copy {out} not sent: This copy is out on an open rental."]
    assert sql_one("SELECT count(*) FROM transfer WHERE inventory_id = %s", [out]) == (0,)


def test_a_sent_copy_is_called_back(clerk_admin, store_1_copies):
    going = transfer_send(scope=EVERY_STORE, inventory_id=store_1_copies[0], to_store_id=2).pk
    response = clerk_admin.post(f"/admin/counter/transfers/{going}/cancel/")
    assert _messages(clerk_admin, response) == [f"Transfer T{going} cancelled: the copy stays where it was."]
    assert sql_one("SELECT status FROM transfer WHERE transfer_id = %s", [going]) == ("cancelled",)
    assert _store_of(store_1_copies[0]) == 1

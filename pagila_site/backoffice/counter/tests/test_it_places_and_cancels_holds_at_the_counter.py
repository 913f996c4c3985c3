"""A customer's holds on their counter page: listed (waiting with their place in the queue, ready
with their copy and expiry), placed by film id or title at one of the clerk's stores, cancelled;
every refusal is a message, never an error page."""

import pytest

from customers.scope import EVERY_STORE
from pagila_site.testsupport.data import sql_one
from rentals.holds import hold_place

pytestmark = pytest.mark.django_db


def _place(client, customer_id, film, store=1):
    response = client.post(
        f"/admin/counter/customers/{customer_id}/holds/", {"film": str(film), "store": store}
    )
    assert response.status_code == 302
    return response


def _messages(page) -> list[str]:
    return [str(message) for message in page.context["messages"]]


def _open_holds(customer_id):
    return sql_one(
        "SELECT count(*) FROM hold WHERE customer_id = %s AND status IN ('waiting', 'ready')", [customer_id]
    )[0]


def test_it_lists_a_waiting_hold_with_its_place_in_the_queue(clerk_admin, held_film):
    page = clerk_admin.get(f"/admin/counter/customers/{held_film['holder']}/")
    [hold] = page.context["holds"]
    assert (hold.pk, hold.shown_status, hold.position, hold.film_title) == (
        held_film["hold_id"],
        "waiting",
        1,
        held_film["title"],
    )
    assert '<span class="badge badge-waiting">waiting</span> number 1' in page.content.decode()


def test_a_film_on_the_shelf_is_held_ready_at_once(clerk_admin, desk_customer, two_copy_film):
    response = _place(clerk_admin, desk_customer, two_copy_film["film_id"])
    assert response["Location"] == f"/admin/counter/customers/{desk_customer}/?focus=hold&store=1"
    hold_id, status, copy = sql_one(
        "SELECT hold_id, status, inventory_id FROM hold WHERE customer_id = %s", [desk_customer]
    )
    assert (status, copy) == ("ready", two_copy_film["copies"][0])
    page = clerk_admin.get(response["Location"])
    [message] = _messages(page)
    assert message.startswith(
        f"Hold {hold_id} placed: copy {copy} of {two_copy_film['title']} is ready at store 1 until "
    )
    assert f'<a href="/admin/counter/holds/{hold_id}/slip/">hold slip</a>' in message
    [hold] = page.context["holds"]
    assert (hold.shown_status, hold.shown_inventory_id) == ("ready", copy)
    # The store chosen stays chosen for the next hold.
    assert page.context["hold_form"]["store"].value() == "1"


def test_a_film_named_by_its_whole_title_is_held(clerk_admin, held_film):
    customer = sql_one(
        "SELECT min(customer_id) FROM customer WHERE store_id = 1 AND active = 1 AND customer_id > %s",
        [held_film["holder"]],
    )[0]
    response = _place(clerk_admin, customer, held_film["title"].lower())
    [message] = _messages(clerk_admin.get(response["Location"]))
    assert message.endswith(f"{held_film['title']}, number 2 in the queue at store 1.")


def test_a_title_several_films_share_is_offered_as_a_choice(clerk_admin, desk_customer):
    response = _place(clerk_admin, desk_customer, "dinosaur")
    assert response["Location"] == (
        f"/admin/counter/customers/{desk_customer}/?focus=hold-matches&film=dinosaur&store=1"
    )
    page = clerk_admin.get(response["Location"])
    expected = sql_one("SELECT count(*) FROM film WHERE title ILIKE '%%dinosaur%%'")[0]
    assert expected > 1
    assert len(page.context["film_matches"]) == expected
    html = page.content.decode()
    assert f"{expected} films match “dinosaur”." in html
    # The first choice has the cursor, and posts its film's id at the store chosen.
    film_id = page.context["film_matches"][0][0]
    assert (
        f'<input type="hidden" name="film" value="{film_id}"><input type="hidden" name="store" value="1">'
        in html
    )
    assert 'class="film-match" autofocus>' in html
    assert _open_holds(desk_customer) == 0


def test_an_unknown_title_is_said(clerk_admin, desk_customer):
    response = _place(clerk_admin, desk_customer, "no such film anywhere")
    page = clerk_admin.get(response["Location"])
    assert _messages(page) == ["Hold not placed: no film's title holds “no such film anywhere”."]


def test_an_unknown_film_id_is_the_services_refusal(clerk_admin, desk_customer):
    response = _place(clerk_admin, desk_customer, 999999)
    assert _messages(clerk_admin.get(response["Location"])) == ["Hold not placed: No film with id 999999."]


def test_a_second_hold_for_the_same_film_is_refused(clerk_admin, held_film):
    response = _place(clerk_admin, held_film["holder"], held_film["film_id"])
    assert _messages(clerk_admin.get(response["Location"])) == [
        "Hold not placed: This customer already has an open hold for this film."
    ]
    assert _open_holds(held_film["holder"]) == 1


def test_a_store_not_the_clerks_is_refused(clerk_admin, desk_customer, two_copy_film):
    response = _place(clerk_admin, desk_customer, two_copy_film["film_id"], store=2)
    [message] = _messages(clerk_admin.get(response["Location"]))
    assert message.startswith("Hold not placed: Select a valid choice.")
    assert _open_holds(desk_customer) == 0


def test_another_stores_customer_has_no_hold_form(clerk_admin, store_2_customer, two_copy_film):
    response = clerk_admin.post(
        f"/admin/counter/customers/{store_2_customer}/holds/", {"film": two_copy_film["film_id"], "store": 1}
    )
    assert response.status_code == 404
    assert _open_holds(store_2_customer) == 0


def test_the_store_defaults_to_the_customers(clerk_admin, desk_customer):
    """Staff member 1 belongs to store 25 and manages store 1: the form offers both, the
    customer's own store (1) chosen, not the clerk's (25, which holds no copies)."""
    page = clerk_admin.get(f"/admin/counter/customers/{desk_customer}/")
    form = page.context["hold_form"]
    assert form.fields["store"].choices == [(1, "Store 1"), (25, "Store 25")]
    assert sql_one("SELECT store_id FROM customer WHERE customer_id = %s", [desk_customer]) == (1,)
    assert form["store"].value() == 1


def test_an_unlinked_superusers_store_is_the_customers(superuser_client, desk_customer):
    page = superuser_client.get(f"/admin/counter/customers/{desk_customer}/")
    assert page.context["hold_form"]["store"].value() == 1


def test_a_hold_is_cancelled_from_the_customers_page(clerk_admin, held_film):
    holder, hold_id = held_film["holder"], held_film["hold_id"]
    response = clerk_admin.post(
        f"/admin/counter/holds/{hold_id}/cancel/", {"next": f"/admin/counter/customers/{holder}/?focus=hold"}
    )
    assert response["Location"] == f"/admin/counter/customers/{holder}/?focus=hold"
    assert sql_one("SELECT status FROM hold WHERE hold_id = %s", [hold_id]) == ("cancelled",)
    page = clerk_admin.get(response["Location"])
    assert _messages(page) == [f"Hold {hold_id} cancelled."]
    assert page.context["holds"] == []


def test_a_closed_hold_is_not_cancelled_again(clerk_admin, held_film):
    hold_id = held_film["hold_id"]
    first = clerk_admin.post(f"/admin/counter/holds/{hold_id}/cancel/")
    assert _messages(clerk_admin.get(first["Location"])) == [f"Hold {hold_id} cancelled."]
    response = clerk_admin.post(f"/admin/counter/holds/{hold_id}/cancel/", {"next": "https://evil.example/"})
    # Only a page of this site is gone back to.
    assert response["Location"] == "/admin/counter/holds/"
    assert _messages(clerk_admin.get(response["Location"])) == [
        f"Hold {hold_id} not cancelled: This hold is no longer waiting or ready."
    ]


def test_another_stores_hold_is_not_cancelled(clerk_admin, store_2_customer):
    film_id = sql_one("SELECT min(film_id) FROM inventory WHERE store_id = 2")[0]
    hold = hold_place(scope=EVERY_STORE, customer_id=store_2_customer, film_id=film_id, store_id=2)
    response = clerk_admin.post(f"/admin/counter/holds/{hold.pk}/cancel/")
    assert _messages(clerk_admin.get(response["Location"])) == [f"No hold {hold.pk} in your stores."]
    assert sql_one("SELECT status FROM hold WHERE hold_id = %s", [hold.pk]) == ("ready",)

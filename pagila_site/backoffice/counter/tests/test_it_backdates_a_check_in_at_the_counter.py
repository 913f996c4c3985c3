"""A check-in backdated for the drop box: the time beside the check-in box goes to rental_return
as returned_at when the clerk changed it (left as the page showed it, the copy is returned now);
the service's limits (not before the rental, not in the future, at most RETURN_BACKDATE_DAYS back)
are said as refusals, never a 500."""

from datetime import timedelta

import pytest
from django.utils import timezone

from customers.scope import EVERY_STORE
from pagila_site.testsupport.data import sql_one
from rentals.services import rental_create

pytestmark = pytest.mark.django_db

# Pagila's fee for a returned rental, written out in SQL (the contract's rule).
FEE = (
    "SELECT f.rental_rate"
    " + greatest(0, extract(day FROM r.return_date - (r.rental_date + f.rental_duration * interval '1 day')))"
    " + CASE WHEN r.return_date - r.rental_date > f.rental_duration * 2 * interval '1 day'"
    "   THEN f.replacement_cost ELSE 0 END"
    " FROM rental r JOIN inventory i USING (inventory_id) JOIN film f USING (film_id) WHERE r.rental_id = %s"
)


@pytest.fixture
def rented_days_ago(desk_customer, store_1_copies):
    """``(rental_id, inventory_id)``: a copy rented to ``desk_customer`` ten days ago."""
    return sql_one(
        "INSERT INTO rental (rental_date, inventory_id, customer_id, staff_id) "
        "VALUES (now() - interval '10 days', %s, %s, 1) RETURNING rental_id, inventory_id",
        [store_1_copies[0], desk_customer],
    )


def _box(moment) -> str:
    """A time as the datetime-local box sends it."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _check_in(client, customer_id, data):
    response = client.post(f"/admin/counter/customers/{customer_id}/check-in/", data)
    assert response.status_code == 302
    return client.get(response["Location"]).context["events"]


def _return_date(rental_id):
    return sql_one("SELECT return_date FROM rental WHERE rental_id = %s", [rental_id])[0]


def test_a_copy_is_returned_at_the_time_typed_with_that_times_fee(
    clerk_admin, desk_customer, rented_days_ago
):
    rental_id, copy = rented_days_ago
    shown = timezone.now()
    dropped = (shown - timedelta(days=2)).replace(second=0, microsecond=0)
    [event] = _check_in(
        clerk_admin, desk_customer, {"copies": copy, "returned_at": _box(dropped), "shown_at": _box(shown)}
    )
    assert _return_date(rental_id) == dropped
    fee = sql_one(FEE, [rental_id])[0]
    assert (event["outcome"], event["rental_id"]) == ("returned", rental_id)
    assert event["detail"] == f"Fee ${fee} (returned {timezone.localtime(dropped):%Y-%m-%d %H:%M})"


def test_the_time_left_as_shown_returns_the_copy_now(clerk_admin, desk_customer, store_1_copies):
    # The page was shown a minute before the copy was rented (another desk's): sent, that time
    # would be before the rental.
    shown = _box(timezone.now() - timedelta(minutes=1))
    rental = rental_create(
        scope=EVERY_STORE, customer_id=desk_customer, inventory_id=store_1_copies[0], staff_id=1
    )
    [event] = _check_in(
        clerk_admin, desk_customer, {"copies": store_1_copies[0], "returned_at": shown, "shown_at": shown}
    )
    assert event["outcome"] == "returned"
    assert event["detail"].startswith("Fee $")
    assert "returned" not in event["detail"]
    assert _return_date(rental.pk) > rental.rental_date


def test_no_time_at_all_returns_the_copy_now(clerk_admin, desk_customer, rented_days_ago):
    rental_id, copy = rented_days_ago
    before = timezone.now()
    [event] = _check_in(clerk_admin, desk_customer, {"copies": copy})
    assert event["outcome"] == "returned"
    assert _return_date(rental_id) >= before


@pytest.mark.parametrize(
    ("moved", "detail"),
    [
        (timedelta(days=1), "A return can't be in the future."),
        (-timedelta(days=8), "A return may be backdated by at most 7 days."),
        (-timedelta(days=11), "A return can't be before the rental ("),
    ],
    ids=["future", "too-far-back", "before-the-rental"],
)
def test_a_time_the_service_refuses_is_said_and_nothing_returns(
    clerk_admin, desk_customer, rented_days_ago, moved, detail
):
    rental_id, copy = rented_days_ago
    shown = timezone.now()
    [event] = _check_in(
        clerk_admin,
        desk_customer,
        {"copies": copy, "returned_at": _box(shown + moved), "shown_at": _box(shown)},
    )
    assert (event["outcome"], event["inventory_id"]) == ("refused", copy)
    assert event["detail"].startswith(detail)
    assert _return_date(rental_id) is None


def test_a_time_that_does_not_read_is_refused(clerk_admin, desk_customer, rented_days_ago):
    rental_id, copy = rented_days_ago
    [event] = _check_in(clerk_admin, desk_customer, {"copies": copy, "returned_at": "yesterday"})
    assert (event["outcome"], event["detail"]) == ("refused", "Enter a valid date/time.")
    assert _return_date(rental_id) is None


def test_the_start_page_backdates_too(clerk_admin, desk_customer, rented_days_ago):
    rental_id, copy = rented_days_ago
    shown = timezone.now()
    dropped = (shown - timedelta(hours=30)).replace(second=0, microsecond=0)
    response = clerk_admin.post(
        "/admin/counter/check-in/", {"copies": copy, "returned_at": _box(dropped), "shown_at": _box(shown)}
    )
    assert response["Location"] == f"/admin/counter/customers/{desk_customer}/?focus=check-in"
    assert _return_date(rental_id) == dropped


def test_the_start_page_says_a_malformed_time_as_a_message(clerk_admin, rented_days_ago):
    rental_id, copy = rented_days_ago
    response = clerk_admin.post(
        "/admin/counter/check-in/", {"copies": copy, "returned_at": "2026-13-40T99:99"}
    )
    assert response["Location"] == "/admin/counter/?focus=check-in"
    page = clerk_admin.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["Enter a valid date/time."]
    assert _return_date(rental_id) is None


def test_the_box_is_filled_with_now_and_its_shown_twin(clerk_admin, desk_customer):
    html = clerk_admin.get(f"/admin/counter/customers/{desk_customer}/").content.decode()
    now = _box(timezone.now())
    filled = f'type="datetime-local" name="returned_at" id="id_check_in_returned_at" value="{now}"'
    # The minute may turn between the page and the assertion.
    assert filled in html or filled.replace(now, _box(timezone.now() - timedelta(minutes=1))) in html
    assert 'name="shown_at" value="' in html

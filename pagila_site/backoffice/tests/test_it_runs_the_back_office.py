"""The staff back office: who gets in, the dashboard, actions, and rentals through the service."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages

from customers.scope import EVERY_STORE
from films.models import Film
from pagila_site.models import ApiToken, token_digest
from rentals.models import Rental
from rentals.services import payment_create

pytestmark = pytest.mark.django_db


def test_it_refuses_a_regular_user(client, django_user_model):
    django_user_model.objects.create_user("regular", password="regular-password")
    response = client.post("/admin/login/", {"username": "regular", "password": "regular-password"})
    assert response.status_code == 200
    assert "Please enter the correct username and password for a staff account" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get("/admin/films/film/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_it_lets_staff_log_in(client, django_user_model):
    django_user_model.objects.create_user("clerk", password="clerk-password", is_staff=True)
    response = client.post("/admin/login/?next=/admin/", {"username": "clerk", "password": "clerk-password"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.full_data
def test_the_dashboard_shows_key_figures_and_charts(superuser_client):
    response = superuser_client.get("/admin/")
    assert response.status_code == 200
    page = response.content.decode()
    figures = response.context["figures"]
    assert figures["open_rentals"] == 183
    assert figures["active_customers"] == 584
    assert figures["films_streaming"] == 0
    assert 0 < figures["overdue_rentals"] <= 183
    assert '<span class="figure">183</span> open rentals' in page
    for title in ("Rentals per day", "Revenue by category", "Top 10 films by rentals"):
        assert f"<title>{title}" in page
    assert "Sports" in page  # a category label on the revenue chart


def test_the_ask_ai_page_explains_when_ai_is_not_configured(superuser_client, settings):
    settings.OPENAI_API_KEY = ""
    response = superuser_client.get("/admin/ask-ai/")
    assert response.status_code == 200
    assert "AI is not configured" in response.content.decode()


@pytest.mark.full_data
def test_the_streaming_action_switches_films_on(superuser_client):
    response = superuser_client.post(
        "/admin/films/film/",
        {"action": "mark_streaming_on", "_selected_action": ["1", "2"]},
    )
    assert response.status_code == 302
    assert set(Film.objects.filter(streaming_available=True).values_list("pk", flat=True)) == {1, 2}


@pytest.mark.full_data
def test_the_film_list_filters_by_category_without_duplicates(superuser_client):
    response = superuser_client.get("/admin/films/film/?category=1&all=")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 149  # Action is category 1


def _rent_in_the_admin(client, inventory_id, customer_id=1, staff_id=1):
    """Submit the back office's rental form (the API's rent is testsupport.rentals.rent)."""
    return client.post(
        "/admin/rentals/rental/add/",
        {"customer": customer_id, "inventory": inventory_id, "staff": staff_id},
    )


@pytest.mark.full_data
def test_it_rents_through_the_service_and_refuses_a_double_rental(superuser_client):
    copy = 1  # in stock in Pagila's data
    assert not Rental.objects.open().filter(inventory_id=copy).exists()

    first = _rent_in_the_admin(superuser_client, copy)
    assert first.status_code == 302
    assert Rental.objects.open().filter(inventory_id=copy).count() == 1

    second = _rent_in_the_admin(superuser_client, copy, customer_id=2)
    assert second.status_code == 200
    assert second.context["adminform"].form.errors == {"inventory": ["This copy is out on an open rental."]}
    assert Rental.objects.open().filter(inventory_id=copy).count() == 1


@pytest.mark.full_data
def test_it_refuses_an_inactive_customer_with_a_form_error(superuser_client):
    response = _rent_in_the_admin(superuser_client, 1, customer_id=16)
    assert response.status_code == 200
    assert "customer" in response.context["adminform"].form.errors


@pytest.mark.full_data
def test_the_return_action_returns_open_rentals(superuser_client):
    rental = Rental.objects.open().order_by("pk").first()
    response = superuser_client.post(
        "/admin/rentals/rental/", {"action": "mark_returned", "_selected_action": [str(rental.pk)]}
    )
    assert response.status_code == 302
    rental.refresh_from_db()
    assert rental.return_date is not None


def test_creating_a_token_shows_it_once_on_the_page_and_stores_its_hash(superuser_client, django_user_model):
    clerk = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    response = superuser_client.post(
        "/admin/pagila_site/apitoken/add/", {"user": clerk.pk, "name": "till 3", "expires_in_days": "0.5"}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = re.search(r'id="issued-token"[^>]* value="([^"]+)"', response.content.decode()).group(1)
    token = ApiToken.objects.get(name="till 3")
    assert token.digest == token_digest(raw)
    assert timedelta(hours=11, minutes=59) < token.expires_at - token.created_at <= timedelta(hours=12)
    # Never in a cookie (the messages cookie is signed, not encrypted) nor in a later page.
    assert "messages" not in response.cookies
    assert all(raw not in morsel.value for morsel in response.cookies.values())
    assert not list(get_messages(response.wsgi_request))
    change_page = f"/admin/pagila_site/apitoken/{token.pk}/change/"
    assert raw not in superuser_client.get(change_page).content.decode()
    assert raw not in superuser_client.get("/admin/pagila_site/apitoken/").content.decode()


def test_tokens_are_only_issued_to_staff(superuser_client, django_user_model):
    regular = django_user_model.objects.create_user("regular", password="x")
    response = superuser_client.post("/admin/pagila_site/apitoken/add/", {"user": regular.pk, "name": "nope"})
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert not ApiToken.objects.filter(name="nope").exists()


@pytest.mark.full_data
def test_payments_are_listed_read_only(superuser_client):
    response = superuser_client.get("/admin/rentals/paymentledgerentry/?customer_id=1")
    assert response.status_code == 200
    assert response.context["cl"].result_count == 32
    detail = superuser_client.get("/admin/rentals/paymentledgerentry/16050/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert superuser_client.get("/admin/rentals/paymentledgerentry/add/").status_code == 403


def test_payments_of_today_are_in_the_ledger(superuser_client):
    # Dated now, so stored in payment_default (rentals migration 0006), not a Pagila month.
    payment = payment_create(scope=EVERY_STORE, rental_id=1476, amount=Decimal("1.00"), staff_id=1)
    response = superuser_client.get("/admin/rentals/paymentledgerentry/?customer_id=1")
    assert response.context["cl"].result_count == 33
    assert response.context["cl"].result_list[0].payment_id == payment.payment_id
    assert (
        superuser_client.get(f"/admin/rentals/paymentledgerentry/{payment.payment_id}/change/").status_code
        == 200
    )
    # The date hierarchy reaches this year, past Pagila's months.
    year = superuser_client.get(
        f"/admin/rentals/paymentledgerentry/?payment_date__year={payment.payment_date.year}"
    )
    assert year.context["cl"].result_count == 1


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/admin/"])
def test_a_sign_in_told_to_go_elsewhere_lands_in_the_back_office(client, clerk, next_url):
    response = client.post(
        f"/admin/login/?next={next_url}",
        {"username": clerk.username, "password": "clerk-password", "next": next_url},
    )
    assert (response.status_code, response["Location"]) == (302, "/admin/")

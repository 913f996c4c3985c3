"""A clerk's admin film form changes the streaming flag and nothing else, as the API's PATCH:
prices are a manager's (``films.change_film``). Seen first as a clerk of store 1 setting film
893's replacement cost to 999.99 through the admin, which moved a store-2 rental's balance."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from films.models import Film

pytestmark = pytest.mark.django_db


def _full_form(film: Film, **changes) -> dict:
    form = {
        "title": film.title,
        "description": film.description or "",
        "release_year": film.release_year or "",
        "language": film.language_id,
        "rating": film.rating or "",
        "length": film.length or "",
        "rental_duration": film.rental_duration,
        "rental_rate": film.rental_rate,
        "replacement_cost": film.replacement_cost,
        "special_features": ",".join(film.special_features or []),
        "streaming_available": "on" if film.streaming_available else "",
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value != ""}


@pytest.fixture
def signed_in(client):
    def sign_in(*flags):
        call_command("staff_account", "desk", "--staff", "1", *flags)
        from django.contrib.auth import get_user_model

        client.force_login(get_user_model().objects.get(username="desk"))
        return client

    return sign_in


def test_a_clerks_film_form_changes_only_streaming(signed_in):
    client = signed_in()
    film = Film.objects.get(pk=893)
    page = client.get("/admin/films/film/893/change/")
    assert page.status_code == 200
    assert b'name="replacement_cost"' not in page.content
    assert b'name="streaming_available"' in page.content

    response = client.post(
        "/admin/films/film/893/change/",
        _full_form(
            film, replacement_cost="999.99", rental_rate="0.01", title="MINE", streaming_available="on"
        ),
    )
    assert response.status_code == 302
    changed = Film.objects.get(pk=893)
    assert (changed.replacement_cost, changed.rental_rate, changed.title) == (
        film.replacement_cost,
        film.rental_rate,
        film.title,
    )
    assert changed.streaming_available is True


def test_a_manager_changes_prices(signed_in):
    client = signed_in("--manager")
    film = Film.objects.get(pk=893)
    response = client.post("/admin/films/film/893/change/", _full_form(film, replacement_cost="24.99"))
    assert response.status_code == 302
    assert Film.objects.get(pk=893).replacement_cost == Decimal("24.99")


def test_a_clerk_switches_streaming_from_the_list_but_changes_no_category(signed_in):
    client = signed_in()
    response = client.post(
        "/admin/films/film/", {"action": "mark_streaming_on", "_selected_action": ["1", "2"]}
    )
    assert response.status_code == 302
    assert Film.objects.filter(pk__in=[1, 2], streaming_available=True).count() == 2
    assert client.get("/admin/films/category/1/change/").status_code == 200  # to look at
    assert client.post("/admin/films/category/1/change/", {"name": "Mine"}).status_code == 403

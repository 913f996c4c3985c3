"""The back office's change log: every record, newest first, each change readable, filtered by
table, object, user, source, date and request id."""

import pytest

from changes.models import Change
from pagila_site.change_context import writing_as
from pagila_site.testsupport.data import sql_one

pytestmark = pytest.mark.django_db

URL = "/admin/changes/change/"


def _write(statement: str, params=()) -> None:
    sql_one(f"{statement} RETURNING 1", params)


@pytest.fixture
def changed():
    """Customer 1's email changed by plain SQL, film 10's rate by a clerk's API request, and a
    store-2 customer's email by a management command; their records by name."""
    _write("UPDATE customer SET email = 'mary@example.com' WHERE customer_id = 1")
    with writing_as(user="clerk1", token="abcd1234", source="api", request_id="req-film-10", reason="Summer"):
        _write("UPDATE film SET rental_rate = 3.5 WHERE film_id = 10")
    other = sql_one("SELECT min(customer_id) FROM customer WHERE store_id = 2")[0]
    with writing_as(user="boss", source="command:import_customers"):
        _write("UPDATE customer SET email = 'other@example.com' WHERE customer_id = %s", [other])
    by_object = {(c.table, c.object_id): c for c in Change.objects.all()}
    return {
        "mary": by_object["customer", 1],
        "film": by_object["film", 10],
        "other": by_object["customer", other],
    }


def _listed(response) -> list[int]:
    assert response.status_code == 200
    return [change.change_id for change in response.context["cl"].result_list]


def test_it_lists_every_record_newest_first(superuser_client, changed):
    assert _listed(superuser_client.get(URL)) == [
        changed["other"].change_id,
        changed["film"].change_id,
        changed["mary"].change_id,
    ]


def test_it_shows_each_column_before_and_after(superuser_client, changed):
    page = superuser_client.get(URL).content.decode()
    assert (
        '<span class="column">email</span> <span class="before">MARY.SMITH@sakilacustomer.org</span>'
        ' → <span class="after">mary@example.com</span>'
    ) in page
    # Money as the API shows it, not as the JSON number the record holds.
    assert '<span class="after">3.50</span>' in page
    assert '{"email"' not in page


def test_it_shows_who_and_from_where(superuser_client, changed):
    page = superuser_client.get(URL).content.decode()
    assert '<td class="field-who">clerk1 <span class="token">token abcd1234…</span></td>' in page
    assert '<td class="field-source_shown">API</td>' in page
    assert '<td class="field-source_shown">command import_customers</td>' in page
    # A write from outside the app (psql, another program) has no source.
    assert '<td class="field-source_shown">SQL</td>' in page


def test_each_record_links_to_its_objects_history_page(superuser_client, changed):
    page = superuser_client.get(URL).content.decode()
    assert '<a href="/admin/customers/customer/1/history/">customer 1</a>' in page
    assert '<a href="/admin/films/film/10/history/">film 10</a>' in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"table": "customer"}, ["other", "mary"]),
        ({"table": "film"}, ["film"]),
        ({"table": "customer", "object_id": "1"}, ["mary"]),
        ({"user": "clerk1"}, ["film"]),
        ({"user": "nobody"}, []),
        ({"source": "sql"}, ["mary"]),
        ({"source": "api"}, ["film"]),
        ({"source": "command"}, ["other"]),
        ({"q": "req-film-10"}, ["film"]),
        ({"at__gte": "2000-01-01T00:00:00+00:00", "table": "film"}, ["film"]),
        ({"at__lt": "2000-01-01T00:00:00+00:00"}, []),
    ],
)
def test_it_filters(superuser_client, changed, params, expected):
    assert _listed(superuser_client.get(URL, params)) == [changed[name].change_id for name in expected]


def test_the_date_filter_offers_todays_records(superuser_client, changed):
    response = superuser_client.get(URL)
    [dates] = [spec for spec in response.context["cl"].filter_specs if spec.title == "date"]
    today = next(choice for choice in dates.choices(response.context["cl"]) if choice["display"] == "Today")
    assert len(_listed(superuser_client.get(URL + today["query_string"]))) == 3

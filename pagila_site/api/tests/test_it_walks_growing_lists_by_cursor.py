"""The growing lists walk by cursor: ``next`` and ``previous`` are links with an opaque
``cursor``, pages by number stop at 10,000 rows deep, and ``count`` is exact up to 10,000 and
null above (the contract's "Lists at a chain's scale")."""

from urllib.parse import parse_qs, urlsplit

import pytest

from pagila_site.testsupport.data import sql_all, sql_one

pytestmark = pytest.mark.django_db

GROWING_LISTS = [
    "/api/v1/rentals/",
    "/api/v1/payments/",
    "/api/v1/customers/",
    "/api/v1/customers/1/rentals/",
    "/api/v1/customers/1/payments/",
]


def _walk(client, url, link="next"):
    """Every page from ``url`` on, following ``link``: the ids of each page, in order."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.json()
        body = response.json()
        pages.append(body)
        url = body[link]
    return pages


def _ids(pages, key="rental_id"):
    return [row[key] for page in pages for row in page["results"]]


def _insert_rental(customer_id: int, rental_date: str, inventory_id: int) -> int:
    return sql_one(
        "INSERT INTO rental (rental_date, inventory_id, customer_id, return_date, staff_id) "
        "VALUES (%s, %s, %s, %s::timestamptz + interval '1 day', 1) RETURNING rental_id",
        [rental_date, inventory_id, customer_id, rental_date],
    )[0]


@pytest.mark.parametrize("path", GROWING_LISTS)
def test_its_next_link_is_a_cursor(auth_client, path):
    body = auth_client.get(f"{path}?page_size=5").json()
    query = parse_qs(urlsplit(body["next"]).query)
    assert set(query) == {"cursor", "page_size"}
    assert body["previous"] is None
    second = auth_client.get(body["next"]).json()
    back = auth_client.get(second["previous"]).json()
    assert back["results"] == body["results"]


def test_it_walks_a_list_without_repeats_or_gaps_while_rows_are_inserted_in_the_middle(auth_client):
    before = [
        r
        for (r,) in sql_all(
            "SELECT rental_id FROM rental WHERE customer_id = 1 ORDER BY rental_date DESC, rental_id DESC"
        )
    ]
    dates = [
        d
        for (d,) in sql_all(
            "SELECT rental_date::text FROM rental WHERE customer_id = 1 ORDER BY rental_date DESC"
        )
    ]
    url, seen, inserted = "/api/v1/customers/1/rentals/?page_size=4", [], []
    while url:
        body = auth_client.get(url).json()
        seen += [row["rental_id"] for row in body["results"]]
        # Rows dated among those already walked and among those still ahead, on every page.
        for date in (dates[len(seen) // 2], dates[min(len(seen) + 3, len(dates) - 1)]):
            inserted.append(_insert_rental(1, date, 4000 + len(inserted)))
        url = body["next"]
    assert len(seen) == len(set(seen))
    assert set(before) <= set(seen)
    assert set(seen) <= set(before) | set(inserted)


def test_it_walks_back_by_previous_links(auth_client):
    forward = _walk(auth_client, "/api/v1/customers/1/payments/?page_size=7")
    backward = _walk(auth_client, forward[-1]["previous"], link="previous")
    assert _ids(backward[::-1], "payment_id") == _ids(forward[:-1], "payment_id")


def test_a_filtered_list_keeps_its_filters_in_its_links(auth_client):
    pages = _walk(auth_client, "/api/v1/rentals/?film_id=1&page_size=9")
    expected = sql_all(
        "SELECT r.rental_id FROM rental r JOIN inventory i USING (inventory_id) WHERE i.film_id = 1 "
        "ORDER BY r.rental_date DESC, r.rental_id DESC"
    )
    assert _ids(pages) == [r for (r,) in expected]
    assert all("film_id=1" in page["next"] for page in pages[:-1])


def test_a_clerks_cursor_pages_stay_in_scope(clerk_client):
    pages = _walk(clerk_client, "/api/v1/customers/?page_size=100")
    in_scope = sql_all("SELECT customer_id FROM customer WHERE store_id IN (1, 25) ORDER BY customer_id")
    assert _ids(pages, "customer_id") == [c for (c,) in in_scope]


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "WyJ4Il0:abc", ""],
)
def test_a_malformed_cursor_is_400_naming_it(auth_client, cursor):
    response = auth_client.get(f"/api/v1/rentals/?cursor={cursor}")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert list(response.json()["errors"]) == ["cursor"]


def test_a_tampered_cursor_is_400(auth_client):
    cursor = parse_qs(urlsplit(auth_client.get("/api/v1/rentals/").json()["next"]).query)["cursor"][0]
    tampered = cursor.replace(cursor[3], "A" if cursor[3] != "A" else "B", 1)
    response = auth_client.get("/api/v1/rentals/", {"cursor": tampered})
    assert (response.status_code, list(response.json()["errors"])) == (400, ["cursor"])


def test_a_cursor_of_another_list_is_400(auth_client):
    cursor = parse_qs(urlsplit(auth_client.get("/api/v1/payments/").json()["next"]).query)["cursor"][0]
    response = auth_client.get("/api/v1/rentals/", {"cursor": cursor})
    assert (response.status_code, list(response.json()["errors"])) == (400, ["cursor"])


def test_pages_by_number_reach_10000_rows_deep(auth_client):
    assert auth_client.get("/api/v1/rentals/?page=500&page_size=20").status_code == 200
    response = auth_client.get("/api/v1/rentals/?page=501&page_size=20")
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], list(body["errors"])) == ("page_too_deep", ["page"])
    assert auth_client.get("/api/v1/rentals/?page=101&page_size=100").json()["code"] == "page_too_deep"
    # However many digits: a page number no list reaches is as deep as the rest.
    for page in ("10000000000", "9" * 5000):
        response = auth_client.get(f"/api/v1/holds/?page={page}")
        assert (response.status_code, response.json()["code"]) == (400, "page_too_deep")


def test_a_count_above_10000_is_null(auth_client):
    assert auth_client.get("/api/v1/rentals/").json()["count"] is None
    assert auth_client.get("/api/v1/payments/").json()["count"] is None
    assert auth_client.get("/api/v1/rentals/?status=open").json()["count"] == 183


@pytest.mark.parametrize(
    ("url", "rows_sql"),
    [
        ("/api/v1/rentals/?status=open", "SELECT count(*) FROM rental WHERE return_date IS NULL"),
        ("/api/v1/payments/?customer_id=1", "SELECT count(*) FROM payment WHERE customer_id = 1"),
        ("/api/v1/customers/", "SELECT count(*) FROM customer"),
        ("/api/v1/customers/1/rentals/", "SELECT count(*) FROM rental WHERE customer_id = 1"),
        ("/api/v1/customers/1/payments/", "SELECT count(*) FROM payment WHERE customer_id = 1"),
    ],
)
def test_a_count_is_exact_at_the_limit_and_null_above(auth_client, settings, url, rows_sql):
    (total,) = sql_one(rows_sql)
    separator = "&" if "?" in url else "?"
    first = f"{url}{separator}page_size=5"
    settings.PAGINATION_COUNT_LIMIT = total
    body = auth_client.get(first).json()
    assert body["count"] == total
    assert auth_client.get(body["next"]).json()["count"] == total  # a cursor page counts the whole list
    settings.PAGINATION_COUNT_LIMIT = total - 1
    body = auth_client.get(first).json()
    assert body["count"] is None
    assert auth_client.get(body["next"]).json()["count"] is None


@pytest.mark.parametrize(
    ("url", "rows_sql"),
    [
        (
            "/api/v1/rentals/?status=open",
            "SELECT count(*) FROM rental r JOIN inventory i USING (inventory_id)"
            " JOIN customer c USING (customer_id)"
            " WHERE r.return_date IS NULL AND (i.store_id IN (1, 25) OR c.store_id IN (1, 25))",
        ),
        (
            "/api/v1/payments/?since=2022-07-20",
            "SELECT count(*) FROM payment p JOIN rental r USING (rental_id)"
            " JOIN inventory i USING (inventory_id) JOIN customer rc ON rc.customer_id = r.customer_id"
            " JOIN customer pc ON pc.customer_id = p.customer_id"
            " WHERE p.payment_date >= '2022-07-20'"
            " AND (i.store_id IN (1, 25) OR rc.store_id IN (1, 25) OR pc.store_id IN (1, 25))",
        ),
    ],
)
def test_a_clerks_count_is_exact_at_the_limit_and_null_above(clerk_client, settings, url, rows_sql):
    (total,) = sql_one(rows_sql)
    assert total > 20
    for limit, expected in [(total, total), (total - 1, None), (10, None), (total + 1, total)]:
        settings.PAGINATION_COUNT_LIMIT = limit
        body = clerk_client.get(f"{url}&page_size=5").json()
        assert body["count"] == expected, limit
        assert clerk_client.get(body["next"]).json()["count"] == expected, limit

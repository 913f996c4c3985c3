"""A customer's rentals without filters are read by SQL compiled once (pagila_site/compiled.py);
every page is what the ORM's own query gives, which a filter that filters nothing (``status=``,
empty, so django-filter skips it) still takes."""

import pytest

from rentals.views import CustomerRentalViewSet

pytestmark = pytest.mark.django_db

PAGES = [
    (148, "page_size=20"),
    (148, "page=2&page_size=20"),
    (148, "page=3&page_size=20"),  # 46 rentals: 404 past the end
    (148, "page=46&page_size=1"),
    (148, "page=5&page_size=10"),
    (1, "page_size=100"),
    (75, "page=2&page_size=7"),
    (600, "page_size=20"),  # no such customer
]


@pytest.fixture
def compiled_pages(monkeypatch):
    """How many pages the compiled query answered."""
    calls = []
    compiled = CustomerRentalViewSet.unfiltered_pages
    page = compiled.page

    def counted(*args, **kwargs):
        calls.append(args)
        return page(*args, **kwargs)

    monkeypatch.setattr(compiled, "page", counted)
    return calls


@pytest.mark.parametrize(("customer_id", "query"), PAGES)
def test_a_page_is_what_the_orm_gives(auth_client, compiled_pages, customer_id, query):
    compiled = auth_client.get(f"/api/v1/customers/{customer_id}/rentals/?{query}")
    assert len(compiled_pages) == 1
    orm = auth_client.get(f"/api/v1/customers/{customer_id}/rentals/?{query}&status=")
    assert len(compiled_pages) == 1, "a list with a filter parameter keeps the ORM"
    assert compiled.status_code == orm.status_code
    # The links differ by the empty filter only.
    assert compiled.content == orm.content.replace(b"&status=", b"")


def test_a_rental_made_since_is_on_the_first_page(auth_client, compiled_pages):
    before = auth_client.get("/api/v1/customers/148/rentals/?page_size=1").json()
    # Customer 148 owes more than the block allows: the superuser overrides it.
    body = {"inventory_id": 10, "staff_id": 1, "override_reason": "test"}
    assert auth_client.post("/api/v1/customers/148/rentals/", body, format="json").status_code == 201
    after = auth_client.get("/api/v1/customers/148/rentals/?page_size=1").json()
    assert after["count"] == before["count"] + 1
    assert after["results"][0]["rental_id"] > before["results"][0]["rental_id"]
    assert after["results"][0]["amount_paid"] == "0.00"
    assert len(compiled_pages) == 2


def test_a_clerk_sees_a_customer_of_another_store_as_404(clerk_client, compiled_pages):
    # Customers of store 2 are outside staff 1's stores (1 and 25): checked before any page.
    response = clerk_client.get("/api/v1/customers/4/rentals/")
    assert response.status_code == 404
    assert compiled_pages == []


@pytest.mark.parametrize("customer_id", [2**31, 2**63, 10**30])
def test_an_id_beyond_the_integer_range_is_404_without_a_query(auth_client, compiled_pages, customer_id):
    # PostgreSQL would compare every rental's customer_id as numeric to find none.
    response = auth_client.get(f"/api/v1/customers/{customer_id}/rentals/")
    assert response.status_code == 404
    assert compiled_pages == []

"""POST /api/v1/customers/{customer_id}/rentals/: every way a rental is refused."""

import collections

import pytest
from django.db import connection

from pagila_site.testsupport.data import sql_one
from pagila_site.testsupport.rentals import rent

pytestmark = pytest.mark.django_db

Copy = collections.namedtuple(
    "Copy",
    [
        "store_id",
        "film_id",
        "condition",
        "on_loan",
        "in_transit",
        "held_for",
        "held_for_customer",
        "held_expired",
        "customers_hold",
    ],
)


def _open_rentals():
    return sql_one("SELECT count(*) FROM rental WHERE return_date IS NULL")[0]


def test_it_answers_404_for_an_unknown_customer(auth_client, copy_in_stock):
    response = rent(auth_client, 600, copy_in_stock)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_it_answers_404_for_a_customer_id_beyond_the_integer_range(auth_client, copy_in_stock):
    response = rent(auth_client, 2**31, copy_in_stock)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_it_answers_404_for_an_unknown_customer_whatever_the_body(auth_client):
    response = rent(auth_client, 600, body={"inventory_id": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize("customer_id", [4, 600])  # of store 2, outside staff 1's stores; none
def test_it_answers_404_to_a_clerk_for_a_customer_out_of_scope_whatever_staff_id_says(
    clerk_client, copy_in_stock, customer_id
):
    # A clerk linked to staff 1 may not name staff 2: the customer is judged first.
    response = rent(clerk_client, customer_id, copy_in_stock, staff_id=2)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_it_refuses_a_copy_deleted_after_it_was_checked(auth_client, monkeypatch):
    # As if the copy had gone between the check and the INSERT: the foreign key refuses the row.
    from rentals import holds

    on_the_shelf = Copy(1, 1, "good", False, False, None, None, False, None)
    monkeypatch.setattr(holds, "locked_copy", lambda inventory_id, customer_id: on_the_shelf)
    before = _open_rentals()
    response = rent(auth_client, 1, 999999)
    assert response.status_code == 400
    assert response.json()["errors"] == {"inventory_id": ["No copy with inventory id 999999."]}
    assert _open_rentals() == before


def _deleting_after_the_staff_check(monkeypatch, table: str, key: str, row_id: int):
    """The service's staff check, then ``row_id`` of ``table`` deleted: as if another request
    had deleted it between the checks and the INSERT."""
    from rentals import services

    check = services._check_staff

    def check_then_delete(staff_id):
        check(staff_id)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE {key} = %s", [row_id])  # noqa: S608 - test constants

    monkeypatch.setattr(services, "_check_staff", check_then_delete)


def test_it_answers_404_for_a_customer_deleted_after_it_was_checked(auth_client, copy_in_stock, monkeypatch):
    (customer_id,) = sql_one(
        "INSERT INTO customer (store_id, first_name, last_name, address_id, active) "
        "VALUES (1, 'GONE', 'SOON', 1, 1) RETURNING customer_id"
    )
    _deleting_after_the_staff_check(monkeypatch, "customer", "customer_id", customer_id)
    before = _open_rentals()
    response = rent(auth_client, customer_id, copy_in_stock)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
    assert _open_rentals() == before


def test_it_refuses_a_staff_member_deleted_after_it_was_checked(auth_client, copy_in_stock, monkeypatch):
    (staff_id,) = sql_one(
        "INSERT INTO staff (first_name, last_name, address_id, store_id, username) "
        "VALUES ('Gone', 'Soon', 1, 1, 'gone') RETURNING staff_id"
    )
    _deleting_after_the_staff_check(monkeypatch, "staff", "staff_id", staff_id)
    response = rent(auth_client, 1, copy_in_stock, staff_id=staff_id)
    assert response.status_code == 400
    assert response.json()["errors"] == {"staff_id": [f"No staff member with id {staff_id}."]}


def test_it_refuses_missing_fields(auth_client):
    response = rent(auth_client, 1, body={})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid input: inventory_id: This field is required.",
        "code": "invalid",
        "errors": {"inventory_id": ["This field is required."], "staff_id": ["This field is required."]},
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "A valid integer is required."),
        (1.5, "A valid integer is required."),
        (None, "This field may not be null."),
        (0, "Ensure this value is greater than or equal to 1."),
        (2**31, "Ensure this value is less than or equal to 2147483647."),
    ],
)
def test_it_refuses_an_ill_typed_inventory_id(auth_client, value, message):
    response = rent(auth_client, 1, value)
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"Invalid input: inventory_id: {message}",
        "code": "invalid",
        "errors": {"inventory_id": [message]},
    }


def test_it_refuses_a_body_that_is_not_an_object(auth_client):
    response = rent(auth_client, 1, body=[1, 2])
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_it_refuses_an_unknown_inventory_id(auth_client):
    response = rent(auth_client, 1, 999999)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid input: inventory_id: No copy with inventory id 999999.",
        "code": "invalid",
        "errors": {"inventory_id": ["No copy with inventory id 999999."]},
    }


def test_it_refuses_an_unknown_staff_id(auth_client, copy_in_stock):
    response = rent(auth_client, 1, copy_in_stock, staff_id=999999)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid input: staff_id: No staff member with id 999999.",
        "code": "invalid",
        "errors": {"staff_id": ["No staff member with id 999999."]},
    }


def test_it_refuses_an_inactive_staff_member(auth_client, copy_in_stock):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE staff SET active = false WHERE staff_id = 3")
    response = rent(auth_client, 1, copy_in_stock, staff_id=3)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Invalid input: staff_id: Staff member 3 is inactive.",
        "code": "invalid",
        "errors": {"staff_id": ["Staff member 3 is inactive."]},
    }


def test_it_refuses_a_copy_out_on_an_open_rental(auth_client, copy_out):
    before = _open_rentals()
    response = rent(auth_client, 1, copy_out)
    assert response.status_code == 409
    assert response.json() == {"detail": "This copy is out on an open rental.", "code": "not_in_stock"}
    assert _open_rentals() == before


def test_it_refuses_an_inactive_customer(auth_client, copy_in_stock):
    assert sql_one("SELECT active FROM customer WHERE customer_id = 16") == (0,)
    before = _open_rentals()
    response = rent(auth_client, 16, copy_in_stock)
    assert response.status_code == 409
    assert response.json() == {
        "detail": "This customer is inactive and cannot rent.",
        "code": "customer_inactive",
    }
    assert _open_rentals() == before

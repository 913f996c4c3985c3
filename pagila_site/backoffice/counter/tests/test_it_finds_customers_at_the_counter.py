"""The counter finds a customer of the clerk's stores by name, email, phone or id: one match
opens them, several are a list, another store's customers are never found."""

import pytest

from pagila_site.testsupport.data import sql_all, sql_one

pytestmark = pytest.mark.django_db


def test_an_exact_id_opens_the_customer(clerk_admin, desk_customer):
    response = clerk_admin.get("/admin/counter/", {"q": str(desk_customer)})
    assert response.status_code == 302
    assert response["Location"] == f"/admin/counter/customers/{desk_customer}/?focus=check-out"


def test_a_customer_of_another_store_is_not_found_by_id(clerk_admin, store_2_customer):
    response = clerk_admin.get("/admin/counter/", {"q": str(store_2_customer)})
    assert response.status_code == 200
    assert response.context["matches"] == []
    assert f"No customer of your stores matches “{store_2_customer}”." in response.content.decode()


def test_a_customer_of_another_store_has_no_counter_page(clerk_admin, store_2_customer):
    assert clerk_admin.get(f"/admin/counter/customers/{store_2_customer}/").status_code == 404


def test_a_name_matching_several_customers_lists_only_the_clerks(clerk_admin):
    response = clerk_admin.get("/admin/counter/", {"q": "ann"})
    assert response.status_code == 200
    expected = sql_all(
        "SELECT customer_id FROM customer WHERE store_id IN (1, 25) AND ("
        "  first_name ILIKE '%%ann%%' OR last_name ILIKE '%%ann%%' OR email ILIKE '%%ann%%')"
        " ORDER BY last_name, first_name, customer_id"
    )
    assert [customer.pk for customer in response.context["matches"]] == [row[0] for row in expected]
    # Store 2 has customers named so too, and none is listed.
    others = sql_one(
        "SELECT count(*) FROM customer WHERE store_id = 2 "
        "AND (first_name ILIKE '%%ann%%' OR last_name ILIKE '%%ann%%')"
    )[0]
    assert others > 0


def test_the_first_match_gets_the_focus(clerk_admin):
    response = clerk_admin.get("/admin/counter/", {"q": "ann"})
    first = response.context["matches"][0].pk
    assert (
        f'<a href="/admin/counter/customers/{first}/?focus=check-out" autofocus>' in response.content.decode()
    )


def test_a_phone_number_opens_its_customer(clerk_admin, desk_customer):
    phone = sql_one(
        "SELECT a.phone FROM customer c JOIN address a USING (address_id) WHERE c.customer_id = %s",
        [desk_customer],
    )[0]
    response = clerk_admin.get("/admin/counter/", {"q": phone})
    assert response.status_code == 302
    assert response["Location"] == f"/admin/counter/customers/{desk_customer}/?focus=check-out"


def test_first_and_last_name_together_open_the_customer(clerk_admin):
    response = clerk_admin.get("/admin/counter/", {"q": "mary smith"})
    assert response["Location"] == "/admin/counter/customers/1/?focus=check-out"


def test_an_email_of_another_store_finds_nobody(clerk_admin, store_2_customer):
    email = sql_one("SELECT email FROM customer WHERE customer_id = %s", [store_2_customer])[0]
    response = clerk_admin.get("/admin/counter/", {"q": email})
    assert response.status_code == 200
    assert response.context["matches"] == []


def test_staff_without_the_clerks_permissions_get_no_counter(client, django_user_model):
    user = django_user_model.objects.create_user("visitor", is_staff=True)
    client.force_login(user)
    assert client.get("/admin/counter/").status_code == 403


def test_the_counter_needs_a_signed_in_staff_member(client):
    response = client.get("/admin/counter/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_few_digits_of_a_phone_number_list_its_customers(clerk_admin):
    # 4077 is in the phones of three customers of store 1 and one of store 2.
    expected = sql_all(
        "SELECT c.customer_id FROM customer c JOIN address a USING (address_id) "
        "WHERE c.store_id IN (1, 25) AND a.phone LIKE '%%4077%%' ORDER BY c.last_name, c.first_name"
    )
    assert len(expected) == 3
    response = clerk_admin.get("/admin/counter/", {"q": "4077"})
    assert [customer.pk for customer in response.context["matches"]] == [row[0] for row in expected]


def test_three_digits_are_an_id_not_part_of_a_phone(clerk_admin):
    # 384 is in the phones of customers 1, 41, 156 and 523 of store 1; customer 384 is store 2's.
    assert sql_one("SELECT store_id FROM customer WHERE customer_id = 384") == (2,)
    response = clerk_admin.get("/admin/counter/", {"q": "384"})
    assert response.context["matches"] == []

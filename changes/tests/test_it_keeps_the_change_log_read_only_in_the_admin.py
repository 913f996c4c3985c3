"""Nothing in the back office adds, changes or deletes a change record: its page is for reading."""

import pytest

from changes.models import Change
from pagila_site.testsupport.data import sql_one

pytestmark = pytest.mark.django_db


@pytest.fixture
def record():
    sql_one("UPDATE customer SET email = 'mary@example.com' WHERE customer_id = 1 RETURNING 1")
    return Change.objects.get()


def test_a_record_opens_read_only(superuser_client, record):
    response = superuser_client.get(f"/admin/changes/change/{record.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="_save"' not in page
    assert '<span class="after">mary@example.com</span>' in page


def test_nothing_can_be_added(superuser_client):
    assert superuser_client.get("/admin/changes/change/add/").status_code == 403
    assert superuser_client.post("/admin/changes/change/add/", {"table": "film"}).status_code == 403


def test_a_record_cannot_be_changed(superuser_client, record):
    response = superuser_client.post(f"/admin/changes/change/{record.pk}/change/", {"reason": "forged"})
    assert response.status_code == 403
    assert Change.objects.get().reason is None


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_record_cannot_be_deleted(superuser_client, record, method):
    response = getattr(superuser_client, method)(
        f"/admin/changes/change/{record.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert Change.objects.filter(pk=record.pk).exists()


def test_the_list_has_no_delete_action(superuser_client, record):
    response = superuser_client.get("/admin/changes/change/")
    assert response.context["action_form"] is None
    superuser_client.post(
        "/admin/changes/change/",
        {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"},
    )
    assert Change.objects.filter(pk=record.pk).exists()

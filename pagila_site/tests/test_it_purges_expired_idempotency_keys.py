"""``manage.py purge_idempotency_keys`` deletes the keys older than 24 hours, and only those."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models.functions import Now

from pagila_site.models import IdempotencyKey

pytestmark = pytest.mark.django_db


def _key(user, key: str, age: timedelta) -> None:
    row = IdempotencyKey.objects.create(user=user, key=key, method="POST", path="/x/", fingerprint="0" * 64)
    IdempotencyKey.objects.filter(pk=row.pk).update(created_at=Now() - age)


def test_it_deletes_only_expired_keys(staff_user):
    _key(staff_user, "old", timedelta(hours=24, seconds=1))
    _key(staff_user, "older", timedelta(days=30))
    _key(staff_user, "recent", timedelta(hours=23, minutes=59))
    _key(staff_user, "new", timedelta(0))
    out = StringIO()

    call_command("purge_idempotency_keys", stdout=out)

    assert sorted(IdempotencyKey.objects.values_list("key", flat=True)) == ["new", "recent"]
    assert out.getvalue() == "Deleted 2 expired idempotency keys.\n"

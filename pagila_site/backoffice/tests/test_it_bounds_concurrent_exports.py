"""A server process streams at most ``CSV_EXPORTS_PER_PROCESS`` CSV exports at once, each on a
database connection of its own: one more is 503 with ``Retry-After``, and a slot is free again
once its response is closed, whether or not it was ever read."""

import asyncio

import pytest

from pagila_site.backoffice import csv_export
from pagila_site.backoffice.csv_stream import ExportSlots

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/admin/rentals/rental/export-csv/?q=smith"


@pytest.fixture
def two_slots(monkeypatch):
    monkeypatch.setattr(csv_export, "EXPORT_SLOTS", ExportSlots(2))


def test_one_export_more_than_the_slots_is_503(superuser_client, two_slots):
    first, second = superuser_client.get(URL), superuser_client.get(URL)
    assert (first.status_code, second.status_code) == (200, 200)
    refused = superuser_client.get(URL)
    assert refused.status_code == 503
    assert refused["Retry-After"] == "30"
    assert b"Too many exports at once" in refused.content
    first.close()  # never read: closing frees its slot
    third = superuser_client.get(URL)
    assert third.status_code == 200
    for response in (second, third):
        response.close()


def test_an_export_read_to_its_end_frees_its_slot(superuser_client, two_slots):
    for _ in range(3):
        response = superuser_client.get(URL)

        async def read(response=response):
            return b"".join([part async for part in response])

        assert asyncio.run(read()).startswith(b"rental_id,")
        response.close()
    both = [superuser_client.get(URL), superuser_client.get(URL)]
    assert [response.status_code for response in both] == [200, 200]
    for response in both:
        response.close()

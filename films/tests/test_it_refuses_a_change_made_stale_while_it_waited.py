"""A PATCH with If-Match compares the ETag with the row locked: a change that lands while it
waits for the lock makes its ETag stale (412), it is not overwritten.

A real race: the other writer is a plain connection that commits, so the film is put back after.
"""

import pytest

from films.models import Film
from pagila_site.testsupport.concurrency import (
    in_thread,
    other_connection,
    token_client,
    wait_for_lock_waiters,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.full_data]


@pytest.fixture
def film_restored(db):
    yield 1
    Film.objects.filter(pk=1).update(streaming_available=False)


def test_it_refuses_an_etag_made_stale_by_a_change_it_waited_for(staff_token, film_restored):
    client = token_client(staff_token)
    etag = client.get("/api/v1/films/1/")["ETag"]

    def patch():
        response = client.patch(
            "/api/v1/films/1/", {"streaming_available": False}, format="json", HTTP_IF_MATCH=etag
        )
        return response.status_code, response.json()

    with other_connection() as writer:
        writer.execute("UPDATE film SET streaming_available = true WHERE film_id = 1")
        thread, result = in_thread(patch)
        wait_for_lock_waiters(1)  # the PATCH waits for the writer's row lock...
        writer.commit()  # ...which sees the film changed once it has it
        thread.join(30)

    assert result == [
        (
            412,
            {
                "detail": "The resource changed since that ETag was issued: GET it again and retry.",
                "code": "precondition_failed",
            },
        )
    ]
    assert Film.objects.get(pk=1).streaming_available is True

"""The database CHECK behind end_date >= start_date, reached when two requests race.

Request A moves start_date past the end_date that request B validated against: B's PATCH of
end_date alone passes validation, then must come back as a 400 from the CHECK, not a 500.
A transactional test: both sides commit (Django's flush empties streaming_subscription after).
"""

from datetime import date

import pytest

from customers.models import StreamingSubscription
from pagila_site.testsupport.concurrency import (
    in_thread,
    other_connection,
    token_client,
    wait_for_lock_waiters,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_answers_400_when_a_concurrent_change_breaks_the_date_order(staff_token):
    subscription = StreamingSubscription.objects.create(
        customer_id=1, plan_name="Basic", start_date=date(2025, 1, 1), end_date=None
    )

    def patch_end_date():
        response = token_client(staff_token).patch(
            f"/api/v1/subscriptions/{subscription.pk}/", {"end_date": "2025-06-30"}, format="json"
        )
        return response.status_code, response.json()

    with other_connection() as other:
        other.execute(
            "UPDATE streaming_subscription SET start_date = '2025-09-01' WHERE id = %s", [subscription.pk]
        )
        thread, results = in_thread(patch_end_date)
        wait_for_lock_waiters(1)  # B validated against 2025-01-01 and waits on A's row lock
        other.commit()
        thread.join(30)

    assert results == [
        (
            400,
            {
                "detail": "Invalid input: end_date: end_date must be on or after start_date.",
                "code": "invalid",
                "errors": {"end_date": ["end_date must be on or after start_date."]},
            },
        )
    ]
    stored = StreamingSubscription.objects.get(pk=subscription.pk)
    assert (stored.start_date, stored.end_date) == (date(2025, 9, 1), None)

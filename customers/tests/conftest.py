"""Fixtures of the customers tests."""

from datetime import date

import pytest

from customers.models import StreamingSubscription


@pytest.fixture
def subscription(db) -> StreamingSubscription:
    return StreamingSubscription.objects.create(
        customer_id=1, plan_name="Basic", start_date=date(2025, 1, 1), end_date=date(2025, 12, 31)
    )

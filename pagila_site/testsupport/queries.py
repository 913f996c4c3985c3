"""Query counts, for the baselines every list endpoint and changelist is held to."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries(client, url: str) -> int:
    """How many queries a GET of ``url`` runs; it must answer 200."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)

"""The change log's list costs the same number of queries whatever the page size (both pages here
have a next one, so both count)."""

import pytest
from django.db import connection

from pagila_site.testsupport.queries import queries

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["auth_client", "clerk_client"])
def test_it_lists_a_page_of_one_or_four_changes_in_the_same_queries(request, query_baseline, who):
    with connection.cursor() as cursor:
        for film_id in range(1, 6):
            cursor.execute("UPDATE film SET length = length + 1 WHERE film_id = %s", [film_id])
    client = request.getfixturevalue(who)
    client.get("/api/v1/changes/")  # the first request also records the token's last use
    small = queries(client, "/api/v1/changes/?page_size=1")
    large = queries(client, "/api/v1/changes/?page_size=4")
    assert small == large
    query_baseline(large)

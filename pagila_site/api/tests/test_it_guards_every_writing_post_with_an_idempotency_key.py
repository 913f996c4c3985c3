"""Every POST of the API that writes honours Idempotency-Key.

Walks the API's URLs as the schema generator sees them, so a writing endpoint added without
:class:`IdempotentPostMixin` fails here.
"""

from drf_spectacular.generators import EndpointEnumerator

from pagila_site.api.idempotency import IdempotentPostMixin

# POSTs that only compute an answer from their body and write nothing: nothing to make safe.
READ_ONLY_POSTS = {"/api/v1/ai/summary", "/api/v1/ai/handoff"}


def _endpoints(method: str) -> dict[str, type]:
    return {
        path: callback.cls
        for path, _regex, endpoint_method, callback in EndpointEnumerator().get_api_endpoints()
        if endpoint_method == method
    }


def test_it_makes_every_writing_post_idempotent():
    posts = _endpoints("POST")
    assert set(posts) >= READ_ONLY_POSTS
    unguarded = {
        path
        for path, view in posts.items()
        if path not in READ_ONLY_POSTS and not issubclass(view, IdempotentPostMixin)
    }
    assert unguarded == set()
    assert {
        "/api/v1/customers/{customer_id}/rentals/",
        "/api/v1/customers/{customer_id}/subscriptions/",
        "/api/v1/rentals/{rental_id}/return/",
        "/api/v1/rentals/{rental_id}/payments/",
    } <= set(posts)

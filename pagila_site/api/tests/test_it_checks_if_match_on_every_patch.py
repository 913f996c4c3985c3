"""Every PATCH of the API honours If-Match: a PATCH added without :class:`IfMatchMixin` fails here."""

from drf_spectacular.generators import EndpointEnumerator

from pagila_site.api.preconditions import IfMatchMixin


def test_it_checks_if_match_on_every_patch():
    patches = {
        path: callback.cls
        for path, _regex, method, callback in EndpointEnumerator().get_api_endpoints()
        if method == "PATCH"
    }
    assert set(patches) == {"/api/v1/films/{film_id}/", "/api/v1/subscriptions/{subscription_id}/"}
    assert all(issubclass(view, IfMatchMixin) for view in patches.values())

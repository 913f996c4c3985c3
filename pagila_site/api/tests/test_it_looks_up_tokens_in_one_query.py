"""``ApiToken.objects.matching``: one query finds the token and its user, whatever shares its prefix."""

import pytest

from pagila_site.models import ApiToken
from pagila_site.services import token_issue

pytestmark = pytest.mark.django_db


def test_it_loads_the_token_and_its_user_in_one_query(staff_user, django_assert_num_queries):
    token, raw = token_issue(user=staff_user, name="till")
    with django_assert_num_queries(1):
        found = ApiToken.objects.matching(raw)
        assert (found.pk, found.name, found.revoked_at) == (token.pk, "till", None)
        assert (found.user.pk, found.user.username, found.user.is_staff) == (staff_user.pk, "staff", True)


def test_it_finds_the_one_token_among_tokens_sharing_its_prefix(staff_user):
    _, first = token_issue(user=staff_user, name="first", raw="samepref-first")
    second, raw = token_issue(user=staff_user, name="second", raw="samepref-second")
    assert first[:8] == raw[:8]
    assert ApiToken.objects.matching(raw).pk == second.pk
    assert ApiToken.objects.matching("samepref-third") is None


def test_the_token_and_user_are_what_the_orm_reads(staff_user):
    # Read by SQL compiled once (pagila_site/compiled.py): every field as the ORM gives it.
    token, raw = token_issue(user=staff_user, name="till")
    found = ApiToken.objects.matching(raw)
    orm = ApiToken.objects.select_related("user").get(pk=token.pk)
    for instance, expected in ((found, orm), (found.user, orm.user)):
        for field in type(expected)._meta.concrete_fields:
            assert getattr(instance, field.attname) == getattr(expected, field.attname), field.name

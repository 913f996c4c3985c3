"""A tool never raises for what the model sends: bad arguments are an error result the model reads."""

import json

import pytest

from ai import tools
from customers.models import Customer
from customers.scope import EVERY_STORE

pytestmark = pytest.mark.django_db


def _run(name, arguments):
    return json.loads(tools.run(name, arguments, EVERY_STORE))


@pytest.mark.parametrize(
    ("name", "arguments", "error"),
    [
        ("drop_tables", "{}", {"error": "There is no tool named 'drop_tables'."}),
        ("get_film", '{"film_id": 1', {"error": "The arguments are not valid JSON."}),
        ("get_film", "[1]", {"error": "The arguments must be a JSON object."}),
        ("get_film", '{"film_id": 1, "sql": "x"}', {"error": "Unknown arguments: sql."}),
        (
            "get_film",
            '{"film_id": "1"}',
            {"error": "Invalid arguments.", "errors": {"film_id": ["A valid integer is required."]}},
        ),
        (
            "film_availability",
            "{}",
            {"error": "Invalid arguments.", "errors": {"film_id": ["This field is required."]}},
        ),
        (
            "customer_rentals",
            '{"customer_id": 0}',
            {
                "error": "Invalid arguments.",
                "errors": {"customer_id": ["Ensure this value is greater than or equal to 1."]},
            },
        ),
        (
            "customer_holds",
            '{"customer_id": "5"}',
            {"error": "Invalid arguments.", "errors": {"customer_id": ["A valid integer is required."]}},
        ),
        ("customer_holds", '{"customer": 5}', {"error": "Unknown arguments: customer."}),
        (
            "customer_holds",
            "{}",
            {"error": "Invalid arguments.", "errors": {"customer_id": ["This field is required."]}},
        ),
        (
            "search_films",
            '{"query": "alien", "rating": "X"}',
            {"error": "Invalid arguments.", "errors": {"rating": ['"X" is not a valid choice.']}},
        ),
        ("get_film", '{"film_id": 5000}', {"error": "No film has film_id 5000."}),
    ],
)
def test_it_answers_bad_arguments_with_an_error_result(name, arguments, error):
    assert _run(name, arguments) == error


def _titles(arguments):
    return [film["title"] for film in _run("search_films", arguments)]


def test_it_bounds_search_results():
    assert len(_run("search_films", '{"query": "a"}')) == tools.MAX_FILMS


def test_it_filters_search_results_by_category_and_rating():
    assert _titles('{"query": "alien", "category": "comedy"}') == ["ALIEN CENTER"]
    assert _titles('{"query": "alien", "rating": "PG-13"}') == ["HOBBIT ALIEN"]
    assert _titles('{"query": "alien", "category": "Drama", "rating": "NC-17"}') == ["DESIRE ALIEN"]


def test_it_finds_titles_by_full_text_and_by_substring():
    assert [film["title"] for film in _run("search_films", '{"query": "alien"}')] == [
        "ALIEN CENTER",
        "DESIRE ALIEN",
        "HOBBIT ALIEN",
    ]


def test_it_runs_tools_in_a_read_only_transaction(monkeypatch):
    def renaming(scope, *, customer_id):
        Customer.objects.filter(pk=customer_id).update(first_name="MALLORY")

    monkeypatch.setitem(tools.TOOLS, "customer_rentals", (renaming, tools.CustomerIdArguments))

    assert _run("customer_rentals", '{"customer_id": 1}') == {"error": "The tool failed."}
    assert Customer.objects.get(pk=1).first_name == "MARY"

"""The AI settings come from the environment; a malformed value stops start-up, naming it."""

import runpy

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SETTINGS_FILE = str(settings.BASE_DIR / "pagila_site" / "settings.py")
AI_VARIABLES = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_MODEL",
    "OPENAI_TIMEOUT",
    "AI_RATE_LIMIT",
    "AI_MAX_TOKENS",
    "AI_ANSWER_TIMEOUT",
)


@pytest.fixture
def environment(monkeypatch):
    for name in AI_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_it_defaults_to_openai_without_a_key(environment):
    loaded = runpy.run_path(SETTINGS_FILE)

    assert loaded["OPENAI_API_KEY"] == ""
    assert loaded["OPENAI_BASE_URL"] == "https://api.openai.com/v1"
    assert loaded["OPENAI_MODEL"] == "gpt-4o-mini"
    assert loaded["OPENAI_TIMEOUT"] == 30.0
    assert loaded["AI_RATE_LIMIT"] == "30/min"
    assert loaded["AI_MAX_TOKENS"] == 1024
    assert loaded["AI_ANSWER_TIMEOUT"] == 60.0


def test_it_reads_any_openai_compatible_provider(environment):
    environment.setenv("OPENAI_API_KEY", "ollama")
    environment.setenv("OPENAI_BASE_URL", "http://localhost:11434/v1")
    environment.setenv("OPENAI_MODEL", "llama3.2")
    environment.setenv("OPENAI_TIMEOUT", "7.5")
    environment.setenv("AI_RATE_LIMIT", "100/hour")
    environment.setenv("AI_MAX_TOKENS", "256")
    environment.setenv("AI_ANSWER_TIMEOUT", "12.5")

    loaded = runpy.run_path(SETTINGS_FILE)

    assert [loaded[name] for name in AI_VARIABLES] == [
        "ollama",
        "http://localhost:11434/v1",
        "llama3.2",
        7.5,
        "100/hour",
        256,
        12.5,
    ]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("OPENAI_BASE_URL", "localhost:11434"),
        ("OPENAI_BASE_URL", "ftp://example.com/v1"),
        ("OPENAI_TIMEOUT", "soon"),
        ("OPENAI_TIMEOUT", "0"),
        ("OPENAI_TIMEOUT", "-5"),
        ("OPENAI_TIMEOUT", "inf"),
        ("AI_RATE_LIMIT", "20"),
        ("AI_RATE_LIMIT", "20/fortnight"),
        ("AI_RATE_LIMIT", "0/min"),
        ("AI_MAX_TOKENS", "0"),
        ("AI_MAX_TOKENS", "-1"),
        ("AI_MAX_TOKENS", "1.5"),
        ("AI_MAX_TOKENS", "lots"),
        ("AI_ANSWER_TIMEOUT", "0"),
        ("AI_ANSWER_TIMEOUT", "nan"),
        ("AI_ANSWER_TIMEOUT", "later"),
    ],
)
def test_it_refuses_a_malformed_value(environment, name, value):
    environment.setenv(name, value)

    with pytest.raises(ImproperlyConfigured, match=f"^Environment variable {name} is malformed: "):
        runpy.run_path(SETTINGS_FILE)

"""Settings come from the environment; a malformed value stops start-up with a clear message."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from pagila_site.testsupport.commands import manage_check


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_DEBUG", "maybe"),
        ("DATABASE_POOL_MAX_SIZE", "lots"),
        ("DATABASE_PREPARE_THRESHOLD", "often"),
        ("DATABASE_PREPARE_THRESHOLD", "-1"),
        ("DJANGO_SECURE_HSTS_SECONDS", "1y"),
        ("DJANGO_TRUSTED_PROXIES", "10.0.0.1/8"),
        ("DJANGO_TRUSTED_PROXIES", "proxy.internal"),
        ("DJANGO_CORS_ALLOWED_ORIGINS", "*"),
        ("DJANGO_CORS_ALLOWED_ORIGINS", "https://pos.example.com/"),
        ("DJANGO_CORS_ALLOWED_ORIGINS", "pos.example.com"),
    ],
)
def test_it_names_a_malformed_variable(variable, value):
    result = manage_check(**{variable: value})
    assert result.returncode == 1
    assert f"Configuration error: Environment variable {variable} is malformed" in result.stderr
    assert "Traceback" not in result.stderr


def test_it_requires_a_secret_key_when_debug_is_off():
    result = manage_check(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="")
    assert result.returncode == 1
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_it_passes_the_deployment_checklist_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x9Q2" * 10,
            "DJANGO_SECURE_SSL": "true",
            "DJANGO_ALLOWED_HOSTS": "pagila.example.com",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pagila_site.settings")
    # DATABASE_STATEMENT_TIMEOUT limits web requests; commands (migrations, loading or growing
    # Pagila, purges) may run longer: COMMAND_STATEMENT_TIMEOUT seconds, none by default.
    os.environ["DATABASE_STATEMENT_TIMEOUT"] = os.environ.get("COMMAND_STATEMENT_TIMEOUT", "0")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    from pagila_site.change_context import writing_as

    try:
        # What a command writes is recorded as its own (the changes app).
        with writing_as(source=f"command:{sys.argv[1] if len(sys.argv) > 1 else 'help'}"):
            execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A bad environment variable deserves one clear line, not a traceback.
        sys.exit(f"Configuration error: {exc}")


if __name__ == "__main__":
    main()

"""``python -m pagila_site.devdb {start|stop|status|url|run -- CMD...}``: the embedded PostgreSQL.

- ``start``: start the server (if it is not running) and print its ``DATABASE_URL``;
- ``stop``: stop it;
- ``status``: say whether it runs, and where its data lives;
- ``url``: print its ``DATABASE_URL``, starting it first if needed;
- ``run -- CMD...``: run ``CMD`` with the server up and ``DATABASE_URL`` in its environment,
  then stop the server if this started it (with ``DATABASE_URL`` already set, just run ``CMD``).
  Every ``make`` target that needs a database runs through it.
"""

import sys

from pagila_site.devdb import embedded


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    action, rest = argv[0], argv[1:]
    try:
        if action == "start":
            embedded.start()
            print(embedded.url())
        elif action == "stop":
            if not embedded.stop():
                print("embedded-db: not running", file=sys.stderr)
        elif action == "status":
            lay = embedded.layout()
            state = f"running at {embedded.url(lay)}" if embedded.is_running(lay) else "stopped"
            print(f"embedded-db: {state} (data in {lay.data})")
        elif action == "url":
            print(embedded.ensure_url())
        elif action == "run":
            if rest[:1] == ["--"]:
                rest = rest[1:]
            if not rest:
                print("usage: python -m pagila_site.devdb run -- COMMAND...", file=sys.stderr)
                return 2
            return embedded.run(rest)
        else:
            print(f"unknown action {action!r}", file=sys.stderr)
            return 2
    except embedded.EmbeddedDatabaseError as exc:
        print(f"embedded-db: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

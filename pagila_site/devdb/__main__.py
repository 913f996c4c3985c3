"""``python -m pagila_site.devdb {start|stop|status|url|run -- CMD...|replica ...}``: the embedded
PostgreSQL, and a streaming standby of it.

- ``start``: start the server (if it is not running) and print its ``DATABASE_URL``;
- ``stop``: stop it;
- ``status``: say whether it runs, and where its data lives;
- ``url``: print its ``DATABASE_URL``, starting it first if needed;
- ``run -- CMD...``: run ``CMD`` with the server up and ``DATABASE_URL`` in its environment,
  then stop the server if a ``run`` started it and no other ``run`` still uses it (with
  ``DATABASE_URL`` already set, just run ``CMD``).
  Every ``make`` target that needs a database runs through it.
- ``replica start [PRIMARY_URL]``: copy the primary (the embedded server by default, started if
  it is not running) into ``replica/`` next to the server's data unless a copy is there already,
  start the copy as its hot standby, wait until it streams and print its
  ``DATABASE_REPLICA_URL``; ``make db-replica`` runs it;
- ``replica stop``: stop the standby (its slot keeps the primary's WAL for it meanwhile);
- ``replica status``: say whether it runs and streams;
- ``replica url``: print its URL;
- ``replica destroy [PRIMARY_URL]``: stop it, drop its replication slot on the primary and remove
  its copy (the next ``replica start`` takes a fresh one).
"""

import sys

from pagila_site.devdb import embedded, replica


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    action, rest = argv[0], argv[1:]
    try:
        if action == "start":
            embedded.start()
            embedded.keep_running()
            print(embedded.url())
        elif action == "stop":
            embedded.keep_running()  # forget who started it: the next run starts it afresh
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
        elif action == "replica":
            return _replica(rest)
        else:
            print(f"unknown action {action!r}", file=sys.stderr)
            return 2
    except replica.ReplicaError as exc:
        print(f"replica: {exc}", file=sys.stderr)
        return 1
    except embedded.EmbeddedDatabaseError as exc:
        print(f"embedded-db: {exc}", file=sys.stderr)
        return 1
    return 0


def _replica(argv: list[str]) -> int:
    action, rest = (argv[0], argv[1:]) if argv else ("", [])
    lay = replica.layout()
    if action == "start":
        if rest:
            primary_url = rest[0]
        else:
            primary_url = embedded.ensure_url()
            # The standby needs its primary up: no `make` command's ending may stop it now.
            embedded.keep_running()
        if not replica.exists(lay):
            replica.create(lay, primary_url)
        replica.start(lay, primary_url)
        replica.wait_until_streaming(lay)
        print(f"DATABASE_REPLICA_URL={replica.url(lay)}")
    elif action == "stop":
        if not replica.stop(lay):
            print("replica: not running", file=sys.stderr)
    elif action == "status":
        if not replica.exists(lay):
            state = "none"
        elif not replica.is_running(lay):
            state = "stopped"
        else:
            receiver = replica.receiver_status(lay) or "not running"
            state = f"running at {replica.url(lay)}, WAL receiver {receiver}"
        print(f"replica: {state} (data in {lay.data})")
    elif action == "url":
        print(replica.url(lay))
    elif action == "destroy":
        if lay.base.exists():
            replica.destroy(lay, rest[0] if rest else embedded.ensure_url())
    else:
        usage = "usage: python -m pagila_site.devdb replica {start [PRIMARY_URL]|stop|status|url|destroy}"
        print(usage, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

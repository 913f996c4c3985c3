"""`make bench-replica`: the catalogue's uncached pages with and without a read replica, side by side.

On a private clone of the test template and a streaming standby of it (``testsupport/standby.py``),
two servers as ``make bench`` starts them (catalogue cache off), one with ``DATABASE_REPLICA_URL``
the standby; wrk runs the three catalogue pages against each in turn, the order alternating per
round, so both see the same machine. Whole ``make bench`` runs minutes apart differ by more than
the replica could (README, "Scale"). Prints each run, the medians, and how many transactions
the standby served; writes artifacts/bench/replica.json.
"""

import contextlib
import json
import statistics
import sys
import time

import bench  # the same server, wrk and machine helpers as make bench

ROUNDS = 4
SECONDS = 10


def main() -> int:
    import django

    django.setup()
    from django.db import connection

    from pagila_site.testsupport import testdb
    from pagila_site.testsupport.standby import standby_of

    runs: dict[str, dict[str, list[float]]] = {"with": {}, "without": {}}
    with contextlib.ExitStack() as stack:
        url = testdb.database_url(stack.enter_context(testdb.clone("bench_replica")))
        standby = stack.enter_context(standby_of(url))
        uncached = {"CATALOGUE_CACHE_ENABLED": "false"}
        servers = {
            "without": bench.Server(url, uncached),
            "with": bench.Server(url, {**uncached, "DATABASE_REPLICA_URL": standby.url}),
        }
        try:
            before = bench.standby_transactions(standby.url)
            for round_ in range(ROUNDS):
                order = ["with", "without"] if round_ % 2 == 0 else ["without", "with"]
                for label, path in bench.CATALOGUE.items():
                    for which in order:
                        rps = bench.measured_wrk(servers[which], path, SECONDS)["rps"]
                        runs[which].setdefault(label, []).append(rps)
                        bench.log(f"round {round_ + 1}, {label}, {which} the replica: {rps:.0f} req/s")
            time.sleep(1)  # statistics reach pg_stat_database within a second
            served = bench.standby_transactions(standby.url) - before
        finally:
            for server in servers.values():
                server.stop()
            connection.close_pool()  # before the clone is dropped
    for label in bench.CATALOGUE:
        with_, without = (statistics.median(runs[w][label]) for w in ("with", "without"))
        print(f"{label}: median {with_:.0f} req/s with the replica, {without:.0f} without")
    print(f"transactions the standby served: {served:,}")
    bench.RESULTS.mkdir(parents=True, exist_ok=True)
    (bench.RESULTS / "replica.json").write_text(json.dumps({"runs": runs, "standby_transactions": served}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

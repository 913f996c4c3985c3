"""`make bench-scale`: what each page costs at Pagila's size and at FACTOR times its history.

On a private clone of the test template, with the app served as `make bench` serves it
(``scripts/serve``, two workers; the catalogue cache off so every request reaches its view), it
measures everything once at 1x, grows the clone with ``manage.py grow_pagila --factor FACTOR``
(default 100: about 12,000 customers, 1.6 million rentals and payments, 80,000 holds and 16,000
transfers), restarts the server and
measures it all again:

- every API list and detail under /api/v1/ with each documented filter and ordering, as the
  ``dvd_admin`` superuser token and as a clerk's (store 1), the catalogue anonymously;
- the growing lists' first page and a deep one, reached by following ``next`` links
  (``page_size=100``, up to BENCH_DEEP_PAGES pages, default 300: 30,000 rows deep, or a minute);
- every admin changelist (plain, searched, with each filter of its sidebar and its first date
  drill-down), the first change page of each, the dashboard and the counter's search and
  customer page, signed in as the superuser and as the clerk;
- each CSV export: rows per second and how much the serving worker's resident memory grew;
- /health and a film's detail while 8 clients run the slowest of the above.

Each page is timed with one client at a time and then with 8 concurrent ones (threads, each
with a keep-alive connection of its own), up to a number of requests or seconds per page, so a
slow page is measured fewer times: the sample sizes are in the JSON, and a p99 of at most 16
requests is their slowest. SQL queries per request are counted in this process, by sending the
same request through Django's test client (``CaptureQueriesContext``, the second time, after one
that fills the process's caches): the same views and middleware as the server's, minus the ASGI
serving around them. Admin pages and
filters are found by reading the pages at 1x, and the same URLs are used at both sizes.

Figures go to artifacts/bench/scale.{md,json}. Nothing here asserts. At FACTOR=100 it took
10 minutes on this project's 2-core machine, growing included (35 s of it), and twice that while
other work kept both cores busy; FACTOR=2 checks the script in about 5 minutes.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import secrets
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import bench  # noqa: E402 - the same server, database and machine helpers as make bench

FACTOR = int(os.environ.get("FACTOR", "100"))
DEEP_PAGES = int(os.environ.get("BENCH_DEEP_PAGES", "300"))
# A walk stops after this long wherever it is: a slow list must not take the run's whole time.
WALK_SECONDS = 60
# Per page: one client for up to this many requests or seconds (at least 3 requests), then 8
# clients sharing up to that many requests or seconds (at least one request each).
ONE_CLIENT = (6, 0.3)
CLIENTS = 8
MANY_CLIENTS = (16, 0.6)
UNDER_LOAD_SECONDS = 15
OUT = bench.RESULTS
SUPERUSER_TOKEN = "dvd_admin"  # noqa: S105 - the development token that ensure_dev_access issues
CLERK = "bench_clerk"
# Fixed dates: since the sample's last month of payments (at FACTOR x, that and all the history
# after it), and until its June (the same rows at both sizes).
SINCE, UNTIL = "2022-07-01", "2022-06-01"
# What each changelist's search box is given (its model's name in the admin URL): words that
# match some rows, as a clerk would type them.
SEARCH_TERMS = {
    "film": "love",
    "category": "act",
    "actor": "kilmer",
    "language": "english",
    "inventory": "love",
}
DEFAULT_SEARCH = "smith"

log = bench.log


# --- who asks -----------------------------------------------------------------------------------


@dataclass
class Caller:
    name: str
    username: str
    token: str
    session: str = ""
    django_client: object = None


def clerk_account() -> tuple[str, str]:
    """A clerk of staff member 1 (stores 1 and 25) with a token, through the README's commands."""
    password = secrets.token_urlsafe(16)
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        [*manage, "staff_account", CLERK, "--staff", "1", "--password", password], cwd=ROOT, check=True
    )
    token = subprocess.run(
        [*manage, "issue_token", CLERK, "--name", "bench-scale"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return CLERK, token


def signed_in(caller: Caller) -> Caller:
    """The caller with an admin session (a session row Django's test client writes, which the
    server reads like any other) and a test client for counting queries."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(username=caller.username))
    caller.session = client.cookies["sessionid"].value
    caller.django_client = client
    return caller


# --- timing -------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)], 1)


@dataclass
class Target:
    """A page to time: its path and how to ask for it."""

    label: str
    path: str
    caller: Caller | None = None  # None: anonymous
    admin: bool = False

    def client(self, base: str):
        import httpx2

        headers, cookies = {}, {}
        if self.caller and self.admin:
            cookies["sessionid"] = self.caller.session
        elif self.caller:
            headers["Authorization"] = f"Bearer {self.caller.token}"
        return httpx2.Client(base_url=base, headers=headers, cookies=cookies, timeout=120)

    @property
    def who(self) -> str:
        return self.caller.name if self.caller else "anonymous"


def timed_requests(
    target: Target, base: str, clients: int, budget: tuple[int, float]
) -> tuple[list, Counter]:
    """``clients`` threads sharing ``budget`` (requests, seconds), each with its own connection."""
    most, seconds = budget
    lock = threading.Lock()
    times: list[float] = []
    statuses: Counter = Counter()
    issued = [0]
    deadline = time.monotonic() + seconds
    least = 3 if clients == 1 else 1

    def run():
        mine = 0
        with target.client(base) as http:
            while True:
                with lock:
                    if issued[0] >= most or (time.monotonic() > deadline and mine >= least):
                        return
                    issued[0] += 1
                started = time.perf_counter()
                response = http.get(target.path)
                elapsed = (time.perf_counter() - started) * 1000
                mine += 1
                with lock:
                    times.append(elapsed)
                    statuses[response.status_code] += 1

    threads = [threading.Thread(target=run) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times, statuses


def count_queries(target: Target) -> int | None:
    """The SQL statements one request runs, counted in this process (see the module docstring),
    after one request that fills the process's caches (content types, compiled queries)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    if target.caller and target.admin:
        client = target.caller.django_client
        headers = {}
    else:
        client = Client(HTTP_HOST="localhost")
        headers = {"Authorization": f"Bearer {target.caller.token}"} if target.caller else {}
    if client.get(target.path, headers=headers).streaming:
        return None
    with CaptureQueriesContext(connection) as captured:
        client.get(target.path, headers=headers)
    return len(captured)


def measure(target: Target, base: str) -> dict:
    one, one_status = timed_requests(target, base, 1, ONE_CLIENT)
    many, many_status = timed_requests(target, base, CLIENTS, MANY_CLIENTS)
    statuses = one_status + many_status
    return {
        "status": ", ".join(
            f"{code}" + (f" x{n}" if len(statuses) > 1 else "") for code, n in sorted(statuses.items())
        ),
        "queries": count_queries(target),
        "one": {"p50": percentile(one, 50), "p99": percentile(one, 99), "n": len(one)},
        "many": {"p50": percentile(many, 50), "p99": percentile(many, 99), "n": len(many)},
    }


# --- what is measured -----------------------------------------------------------------------------


def sample_ids() -> dict:
    """Rows of store 1 (the clerk's) that both sizes hold: the sample's busiest customer and copy."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.customer_id, count(*) FROM rental r JOIN customer c USING (customer_id)"
            " WHERE c.store_id = 1 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"
        )
        customer = cursor.fetchone()[0]
        cursor.execute(
            "SELECT r.rental_id, p.payment_id FROM rental r JOIN payment p USING (rental_id)"
            " WHERE r.customer_id = %s ORDER BY r.rental_date DESC LIMIT 1",
            [customer],
        )
        rental, payment = cursor.fetchone()
        cursor.execute(
            "SELECT i.inventory_id, i.film_id FROM rental r JOIN inventory i USING (inventory_id)"
            " WHERE i.store_id = 1 GROUP BY 1, 2 ORDER BY count(*) DESC, 1 LIMIT 1"
        )
        inventory, film = cursor.fetchone()
    return {
        "customer_id": customer,
        "rental_id": rental,
        "payment_id": payment,
        "inventory_id": inventory,
        "film_id": film,
        "store_id": 1,
        "staff_id": 1,
    }


def api_targets(ids: dict, callers: list[Caller]) -> list[Target]:
    customer = ids["customer_id"]
    catalogue = [
        ("films", "/api/v1/films/"),
        *[
            (f"films {query}", f"/api/v1/films/?{query}")
            for query in (
                "category=Action",
                "rating=PG-13",
                "streaming_available=false",
                "release_year=2012",
                "title=love",
                "search=dinosaur",
                "ordering=title",
                "ordering=-rental_rate",
                "ordering=length",
                "ordering=-release_year",
                "ordering=-film_id",
            )
        ],
        ("film detail", f"/api/v1/films/{ids['film_id']}/"),
        ("categories", "/api/v1/categories/"),
    ]
    protected = [
        ("customers", "/api/v1/customers/"),
        ("customers search=smith", "/api/v1/customers/?search=smith"),
        ("customers active=true", "/api/v1/customers/?active=true"),
        ("customers active=false", "/api/v1/customers/?active=false"),
        ("customers store_id=1", "/api/v1/customers/?store_id=1"),
        ("customer detail", f"/api/v1/customers/{customer}/"),
        ("a customer's rentals", f"/api/v1/customers/{customer}/rentals/"),
        *[
            (
                f"a customer's rentals status={status}",
                f"/api/v1/customers/{customer}/rentals/?status={status}",
            )
            for status in ("open", "returned", "overdue")
        ],
        ("a customer's payments", f"/api/v1/customers/{customer}/payments/"),
        ("a customer's payments since", f"/api/v1/customers/{customer}/payments/?since={SINCE}"),
        ("a customer's subscriptions", f"/api/v1/customers/{customer}/subscriptions/"),
        ("rentals", "/api/v1/rentals/"),
        *[
            (f"rentals status={status}", f"/api/v1/rentals/?status={status}")
            for status in ("open", "returned", "overdue")
        ],
        *[
            (f"rentals {name}", f"/api/v1/rentals/?{name}={ids[name]}")
            for name in ("customer_id", "inventory_id", "film_id")
        ],
        ("rental detail", f"/api/v1/rentals/{ids['rental_id']}/"),
        ("payments", "/api/v1/payments/"),
        *[
            (f"payments {name}", f"/api/v1/payments/?{name}={ids[name]}")
            for name in ("customer_id", "rental_id", "staff_id")
        ],
        ("payments since", f"/api/v1/payments/?since={SINCE}"),
        ("payments until", f"/api/v1/payments/?until={UNTIL}"),
        ("payment detail", f"/api/v1/payments/{ids['payment_id']}/"),
        ("holds", "/api/v1/holds/"),
        ("holds store_id=1&status=waiting", "/api/v1/holds/?store_id=1&status=waiting"),
        ("a customer's holds", f"/api/v1/customers/{customer}/holds/"),
        ("transfers", "/api/v1/transfers/"),
        ("changes", "/api/v1/changes/"),
        ("changes of a rental", f"/api/v1/changes/?table=rental&object_id={ids['rental_id']}"),
        ("changes of a customer", f"/api/v1/changes/?table=customer&object_id={customer}"),
        ("changes by user", "/api/v1/changes/?user=dvd_admin"),
        ("changes since", f"/api/v1/changes/?since={SINCE}"),
        ("me", "/api/v1/me/"),
    ]
    return [Target(label, path) for label, path in catalogue] + [
        Target(label, path, caller) for caller in callers for label, path in protected
    ]


# The lists that walk by cursor, at page_size=100.
GROWING = {
    "rentals": "/api/v1/rentals/?page_size=100",
    "payments": "/api/v1/payments/?page_size=100",
    "changes": "/api/v1/changes/?page_size=100",
    "holds": "/api/v1/holds/?page_size=100",
    "transfers": "/api/v1/transfers/?page_size=100",
    "customers": "/api/v1/customers/?page_size=100",
    "a customer's rentals": "/api/v1/customers/{customer_id}/rentals/?page_size=100",
    "a customer's payments": "/api/v1/customers/{customer_id}/payments/?page_size=100",
}


def walk(target: Target, base: str, pages: int) -> dict:
    """Follow ``next`` from ``target`` up to ``pages`` pages or WALK_SECONDS: how deep it got and
    its last page."""
    url, rows, walked, stopped = target.path, 0, 0, "the list's end"
    started = time.monotonic()
    with target.client(base) as http:
        while walked < pages:
            if time.monotonic() - started > WALK_SECONDS:
                stopped = f"{WALK_SECONDS} s"
                break
            response = http.get(url)
            walked += 1
            if response.status_code != 200:
                stopped = f"{response.status_code} {response.json().get('code', '')}"
                break
            body = response.json()
            rows += len(body["results"])
            if not body["next"] or walked == pages:
                stopped = "the list's end" if not body["next"] else f"{pages} pages"
                break
            url = body["next"]
    parts = urlsplit(url)
    return {
        "pages": walked,
        "rows": rows,
        "stopped_at": stopped,
        "seconds": round(time.monotonic() - started, 1),
        "deep_path": f"{parts.path}?{parts.query}",
    }


def deep_targets(ids: dict, callers: list[Caller], base: str) -> list[dict]:
    measured = []
    for caller in callers:
        for name, path in GROWING.items():
            first = Target(f"{name}, first page", path.format(**ids), caller)
            log(f"  walking {name} as {caller.name}")
            walked = walk(first, base, DEEP_PAGES)
            deep = Target(f"{name}, page {walked['pages']}", walked["deep_path"], caller)
            measured.append({"list": name, "who": caller.name, "walk": walked, "first": first, "deep": deep})
    return measured


_FILTER_BLOCK = re.compile(r'<details data-filter-title="([^"]*)"(.*?)</details>', re.S)
_HREF = re.compile(r'href="(\?[^"]*)"')
_INPUT_FILTER = re.compile(r'<input type="text"[^>]*name="(\w+)"')
_CHANGE_LINK = re.compile(r'href="(/admin/[\w/]+?/\d+/change/)')
_EXPORT_LINK = re.compile(r'href="([^"]*export-csv/[^"]*)"')
_YEAR_LINK = re.compile(r'href="(\?[^"]*__year=\d+)"')


def changelists(caller: Caller) -> list[str]:
    """The changelists ``caller`` may view, as the admin's own index lists them."""
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = get_user_model().objects.get(username=caller.username)
    return [
        model["admin_url"]
        for app in admin.site.get_app_list(request)
        for model in app["models"]
        if model["admin_url"]
    ]


def admin_targets(ids: dict, caller: Caller) -> tuple[list[Target], list[Target]]:
    """Every page of the back office ``caller`` sees, found by reading the changelists; and the
    CSV exports they link to."""
    pages = [
        Target("dashboard", "/admin/", caller, admin=True),
        Target("counter search", f"/admin/counter/?q={DEFAULT_SEARCH}", caller, admin=True),
        Target("counter customer", f"/admin/counter/customers/{ids['customer_id']}/", caller, admin=True),
    ]
    exports = []
    for url in changelists(caller):
        name = url.rstrip("/").rsplit("/", 1)[-1]
        page = caller.django_client.get(url).content.decode()
        pages.append(Target(f"{name}", url, caller, admin=True))
        if 'id="searchbar"' in page:
            term = SEARCH_TERMS.get(name, DEFAULT_SEARCH)
            pages.append(Target(f"{name} ?q={term}", f"{url}?q={term}", caller, admin=True))
        for title, block in _FILTER_BLOCK.findall(page):
            choices = [html.unescape(href) for href in _HREF.findall(block) if href != "?"]
            boxes = _INPUT_FILTER.findall(block)
            if boxes:
                query = f"?{boxes[0]}={ids.get(boxes[0], 1)}"
            elif choices:
                query = choices[0]
            else:
                continue
            pages.append(
                Target(f"{name} by {html.unescape(title)}: {query}", f"{url}{query}", caller, admin=True)
            )
        if year := _YEAR_LINK.search(page):
            query = html.unescape(year.group(1))
            pages.append(Target(f"{name} {query}", f"{url}{query}", caller, admin=True))
        if change := _CHANGE_LINK.search(page):
            pages.append(Target(f"{name} change page", change.group(1), caller, admin=True))
        if export := _EXPORT_LINK.search(page):
            exports.append(Target(f"{name} export", html.unescape(export.group(1)), caller, admin=True))
    return pages, exports


# --- exports and load ---------------------------------------------------------------------------


def export(target: Target, server: bench.Server) -> dict:
    """One CSV export streamed to the end: rows/s, and the workers' resident memory meanwhile."""
    before = server.rss_mb()
    peak = list(before)
    done = threading.Event()

    def watch():
        while not done.wait(0.1):
            for i, size in enumerate(server.rss_mb()[: len(peak)]):
                peak[i] = max(peak[i], size)

    watcher = threading.Thread(target=watch)
    watcher.start()
    lines, size = 0, 0
    started = time.perf_counter()
    with target.client(server.base) as http, http.stream("GET", target.path) as response:
        status = response.status_code
        for chunk in response.iter_bytes():
            lines += chunk.count(b"\n")
            size += len(chunk)
    seconds = time.perf_counter() - started
    done.set()
    watcher.join()
    rows = max(lines - 1, 0)
    return {
        "status": status,
        "rows": rows,
        "mb": round(size / 1e6, 1),
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "rss_growth_mb": round(max(after - first for after, first in zip(peak, before, strict=False)), 1),
    }


def under_load(slow: list[Target], server: bench.Server) -> dict:
    """/health and a film's detail, one request at a time, while 8 clients run ``slow``."""
    stop = threading.Event()

    def load(offset: int):
        clients = {}
        while not stop.is_set():
            for target in slow[offset:] + slow[:offset]:
                http = clients.setdefault(id(target), target.client(server.base))
                with http.stream("GET", target.path) as response:
                    for _chunk in response.iter_bytes():
                        if stop.is_set():
                            break
                if stop.is_set():
                    break
        for http in clients.values():
            http.close()

    threads = [threading.Thread(target=load, args=(i % len(slow),)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    probes = {"health": Target("health", "/health"), "film detail": Target("film detail", "/api/v1/films/1/")}
    times: dict[str, list[float]] = {name: [] for name in probes}
    statuses: Counter = Counter()
    deadline = time.monotonic() + UNDER_LOAD_SECONDS
    with probes["health"].client(server.base) as http:
        while time.monotonic() < deadline:
            for name, probe in probes.items():
                started = time.perf_counter()
                statuses[http.get(probe.path).status_code] += 1
                times[name].append((time.perf_counter() - started) * 1000)
            time.sleep(0.05)
    stop.set()
    for thread in threads:
        thread.join()
    return {
        "meanwhile": [f"{t.label} ({t.who})" for t in slow],
        "statuses": dict(statuses),
        **{
            name: {"p50": percentile(values, 50), "p99": percentile(values, 99), "n": len(values)}
            for name, values in times.items()
        },
    }


# --- one size -----------------------------------------------------------------------------------


@dataclass
class Plan:
    """The same pages at both sizes."""

    api: list[Target]
    admin: list[Target]
    exports: list[Target]
    ids: dict


def measure_size(plan: Plan, callers: list[Caller], server: bench.Server, size: str) -> dict:
    started = time.monotonic()
    noise = bench.machine_noise()
    log(f"{size}: machine before: {noise}")
    results: dict = {"noise": noise, "api": {}, "admin": {}, "deep": [], "exports": {}}
    for targets, key in ((plan.api, "api"), (plan.admin, "admin")):
        log(f"{size}: {len(targets)} {key} pages")
        for target in targets:
            results[key][f"{target.label} | {target.who}"] = measure(target, server.base)
    log(f"{size}: deep pages")
    for deep in deep_targets(plan.ids, callers, server.base):
        results["deep"].append(
            {
                "list": deep["list"],
                "who": deep["who"],
                "walk": deep["walk"],
                "first": measure(deep["first"], server.base),
                "deep": measure(deep["deep"], server.base),
                "deep_target": deep["deep"],
            }
        )
    log(f"{size}: exports")
    for target in plan.exports:
        results["exports"][f"{target.label} | {target.who}"] = export(target, server)
    # The four slowest pages by one client's median, the deepest pages and the two biggest exports.
    pages = plan.api + plan.admin
    slow = sorted(pages, key=lambda t: -(results[_key(t)][_label(t)]["one"]["p50"] or 0))[:4]
    slow += [d["deep_target"] for d in results["deep"] if d["list"] in ("rentals", "payments")][:2]
    slow += [t for t in plan.exports if t.label.startswith(("rental", "payment"))][:2]
    log(f"{size}: /health and a film's detail while 8 clients run the slowest pages")
    results["under_load"] = under_load(slow, server)
    for deep in results["deep"]:
        deep.pop("deep_target")
    results["seconds"] = round(time.monotonic() - started)
    return results


def _key(target: Target) -> str:
    return "admin" if target.admin else "api"


def _label(target: Target) -> str:
    return f"{target.label} | {target.who}"


# --- report -------------------------------------------------------------------------------------


def _ms(cell: dict) -> str:
    return f"{cell['p50']} / {cell['p99']}" if cell["p50"] is not None else "—"


def _pair(small: dict, big: dict) -> list[str]:
    return [
        f"{small['status']} → {big['status']}" if small["status"] != big["status"] else small["status"],
        f"{small['queries']} → {big['queries']}"
        if small["queries"] != big["queries"]
        else str(small["queries"]),
        _ms(small["one"]),
        _ms(big["one"]),
        _ms(small["many"]),
        _ms(big["many"]),
    ]


def _table(head: list[str], rows: list[list]) -> list[str]:
    return [
        "| " + " | ".join(head) + " |",
        "|" + " --- |" * len(head),
        *("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows),
    ]


def report(small: dict, big: dict, factor: int, growth: str, total: float) -> str:
    n = f"{factor}x"
    timing = ["1 client 1x", f"1 client {n}", f"{CLIENTS} clients 1x", f"{CLIENTS} clients {n}"]
    noise = [f"{r['noise']['busy_percent']:.0f} % (load {r['noise']['load_average']})" for r in (small, big)]
    lines = [
        f"# make bench-scale: 1x and {n} ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores)",
        "",
        "Latencies: p50 / p99 in ms (nearest rank), one client sending up to "
        f"{ONE_CLIENT[0]} requests or for {ONE_CLIENT[1]} s, then {CLIENTS} concurrent clients sharing up to "
        f"{MANY_CLIENTS[0]} requests or {MANY_CLIENTS[1]} s (the JSON has each sample's size). Queries: SQL "
        "statements per request, counted in-process. Server: scripts/serve, 2 workers, catalogue cache off.",
        "",
        f"Growth: {growth}",
        "",
        f"Machine busy before the 1x runs (of {100 * (os.cpu_count() or 1)} %): {noise[0]}; before the {n} "
        f"runs: {noise[1]}. Measuring took {small['seconds']} s at 1x and {big['seconds']} s at {n}; the "
        f"whole run {total / 60:.1f} min.",
    ]
    for key, title in (("api", "API"), ("admin", "Back office")):
        rows = [[*label.split(" | "), *_pair(cell, big[key][label])] for label, cell in small[key].items()]
        lines += ["", f"## {title}", "", *_table(["page", "who", "status", "queries", *timing], rows)]
    rows = []
    for a, b in zip(small["deep"], big["deep"], strict=True):
        walks = [
            f"{w['pages']} pages, {w['rows']:,} rows, {w['seconds']} s ({w['stopped_at']})"
            for w in (a["walk"], b["walk"])
        ]
        rows.append([a["list"], a["who"], "first", *walks, *_pair(a["first"], b["first"])])
        rows.append([a["list"], a["who"], "last walked", "", "", *_pair(a["deep"], b["deep"])])
    head = ["list", "who", "page", "walked 1x", f"walked {n}", "status", "queries", *timing]
    lines += ["", "## Deep pages (page_size=100, following next)", "", *_table(head, rows)]
    rows = []
    for label, a in small["exports"].items():
        b = big["exports"][label]
        rows.append(
            [
                *label.split(" | "),
                f"{a['status']} / {b['status']}",
                f"{a['rows']:,} / {b['rows']:,}",
                f"{a['seconds']} / {b['seconds']}",
                f"{a['rows_per_s']:,} / {b['rows_per_s']:,}",
                b["mb"],
                f"{a['rss_growth_mb']} / {b['rss_growth_mb']}",
            ]
        )
    head = [
        "export",
        "who",
        "status",
        f"rows 1x / {n}",
        "seconds",
        "rows/s",
        f"MB {n}",
        "worker RSS growth MB",
    ]
    lines += ["", "## CSV exports", "", *_table(head, rows)]
    lines += ["", f"## /health and a film's detail while {CLIENTS} clients run the slowest pages", ""]
    for size, results in (("1x", small), (n, big)):
        load = results["under_load"]
        probes = [f"{name} {_ms(load[name])} ms (n={load[name]['n']})" for name in ("health", "film detail")]
        meanwhile = "; ".join(load["meanwhile"])
        lines.append(f"- {size}: {', '.join(probes)}, statuses {load['statuses']}; meanwhile: {meanwhile}")
    return "\n".join(lines) + "\n"


# --- the run ------------------------------------------------------------------------------------


def grow(database_url: str) -> str:
    log(f"growing the clone to {FACTOR}x (manage.py grow_pagila)")
    run = subprocess.run(
        [sys.executable, "manage.py", "grow_pagila", "--factor", str(FACTOR)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        # Its errors go to this run's output: a failed growth must say why.
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    for line in run.stdout.splitlines():
        log(f"  {line.strip()}")
    return run.stdout.strip().splitlines()[-1]


def save(results: dict) -> None:
    """The figures so far (after 1x too: a run that fails later keeps them)."""
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "scale.json").write_text(json.dumps(results, indent=2))


def main() -> int:
    os.environ["CATALOGUE_CACHE_ENABLED"] = "false"
    import django

    django.setup()
    import logging

    # This process's own requests (counting queries) and its HTTP client log nothing.
    for name in ("pagila.request", "httpx2", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    from django.db import connection

    from pagila_site.testsupport import testdb

    began = time.monotonic()
    with testdb.clone("bench_scale") as name:
        log(f"database {name}")
        bench.use_database(name)
        database_url = testdb.database_url(name)
        os.environ["DATABASE_URL"] = database_url  # the clerk's manage.py commands
        env = {"CATALOGUE_CACHE_ENABLED": "false"}
        server = bench.Server(database_url, env)
        try:
            superuser = signed_in(Caller("superuser", "admin", SUPERUSER_TOKEN))
            clerk = signed_in(Caller("clerk", *clerk_account()))
            callers = [superuser, clerk]
            ids = sample_ids()
            log(f"ids: {ids}")
            admin_pages, exports = [], []
            for caller in callers:
                pages, links = admin_targets(ids, caller)
                admin_pages += pages
                exports += [link for link in links if caller is superuser]
            plan = Plan(api_targets(ids, callers), admin_pages, exports, ids)
            small = measure_size(plan, callers, server, "1x")
            save({"factor": FACTOR, "1x": small})
        finally:
            server.stop()
        connection.close_pool()
        growth = grow(database_url)
        server = bench.Server(database_url, env)
        try:
            big = measure_size(plan, callers, server, f"{FACTOR}x")
        finally:
            server.stop()
            connection.close_pool()
    total = time.monotonic() - began
    save({"factor": FACTOR, "growth": growth, "1x": small, f"{FACTOR}x": big})
    text = report(small, big, FACTOR, growth, total)
    (OUT / "scale.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

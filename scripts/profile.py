"""`make profile`: where a running server's workers spend their time, by py-spy.

Starts the app as `make bench` does (``scripts/serve``, the catalogue cache off so every request
reaches its view, a private clone of the test template), loads one path with wrk (32
connections) and samples both workers with py-spy while it runs. Prints, for the sampled
threads, the share of samples inside each frame (inclusive) and where they were when sampled
(leaf), and writes the raw stacks to artifacts/profile/ (``py-spy record -f raw``: collapsed
stacks, readable by speedscope or flamegraph.pl).

    make profile                                      # a customer's rentals, with the token
    make profile PROFILE_PATH=/api/v1/films/1/        # any other path
    make profile PROFILE_GIL=1                        # only where the Python CPU goes
    make profile PROFILE_PATH=cycle                   # make bench's rent + return cycle
"""

from __future__ import annotations

import collections
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import bench  # noqa: E402 - the same server and wrk helpers as make bench

OUT = ROOT / "artifacts" / "profile"
SECONDS = int(os.environ.get("PROFILE_SECONDS", "10"))
# PROFILE_GIL=1: only samples of the thread holding the GIL, i.e. where the Python CPU goes;
# otherwise every thread not idle, waits for the database and the event loop included.
GIL = ["--gil"] if os.environ.get("PROFILE_GIL") == "1" else []


def _frame(raw: str) -> str:
    name = re.sub(r" \(/.*?site-packages/", " (", raw)
    name = re.sub(rf" \({re.escape(str(ROOT))}/", " (", name)
    return re.sub(r":\d+\)$", ")", name)


def summarise(files: list[Path], top: int = 45) -> str:
    total, inclusive, leaves = 0, collections.Counter(), collections.Counter()
    for path in files:
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            frames = [_frame(frame) for frame in stack.split(";")]
            total += int(count)
            for frame in set(frames):
                inclusive[frame] += int(count)
            leaves[frames[-1]] += int(count)
    lines = [f"{total} samples"]
    lines += [f"{n / total * 100:5.1f}%  {frame}" for frame, n in inclusive.most_common(top)]
    lines += ["", "where the samples were (leaf frames):"]
    lines += [f"{n / total * 100:5.1f}%  {frame}" for frame, n in leaves.most_common(20)]
    return "\n".join(lines)


def main() -> int:
    path = os.environ.get("PROFILE_PATH") or "/api/v1/customers/148/rentals/"
    py_spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if py_spy is None:
        print("py-spy is not installed: pip install py-spy", file=sys.stderr)
        return 2
    import django

    django.setup()
    from pagila_site.testsupport import testdb

    OUT.mkdir(parents=True, exist_ok=True)
    headers = () if path.startswith(("/api/v1/films", "/api/v1/categories")) else (bench.TOKEN_HEADER,)
    with testdb.clone("profile") as name:
        server = bench.Server(testdb.database_url(name), {"CATALOGUE_CACHE_ENABLED": "false"})
        try:
            if path == "cycle":
                bench.use_database(name)  # rental_cycles picks its copies there
                bench.rental_cycles(server, 3)
                load = threading.Thread(target=bench.rental_cycles, args=(server, SECONDS + 2))
            else:
                bench.wrk(server.base + path, 3, headers=headers)
                load = threading.Thread(
                    target=bench.wrk, args=(server.base + path, SECONDS + 2), kwargs={"headers": headers}
                )
            load.start()
            outputs = []
            samplers = []
            for pid in server.worker_pids():
                output = OUT / f"worker-{pid}.txt"
                outputs.append(output)
                samplers.append(
                    subprocess.Popen(
                        [py_spy, "record", "-p", str(pid), "-d", str(SECONDS), "-r", "200", "-f", "raw",
                         "-o", str(output), "--nonblocking", *GIL],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                )  # fmt: skip
            for sampler in samplers:
                sampler.wait()
            load.join()
        finally:
            server.stop()
            from django.db import connection

            connection.close_pool()
    what = "the thread holding the GIL" if GIL else "every busy thread"
    load_name = "rent + return cycles (8 connections)" if path == "cycle" else f"GET {path} (32 connections)"
    text = f"# py-spy on both workers ({what}), {load_name} under wrk\n\n{summarise(outputs)}\n"
    (OUT / "summary.txt").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

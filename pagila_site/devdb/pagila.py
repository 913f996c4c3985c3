"""Fetch, verify and load the Pagila sample database.

The two upstream files are read from ``PAGILA_DIR`` when it is set, otherwise downloaded from the
pinned upstream commit into a git-ignored cache; either way each is checked against its SHA-256
before a byte of it reaches the database. Loading needs no ``psql``: the schema file is plain
SQL, and the data file's ``COPY ... FROM stdin`` blocks are streamed through psycopg's COPY
support. Pagila itself is never committed to this repository.
"""

from __future__ import annotations

import hashlib
import re
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

UPSTREAM_COMMIT = "5ba5a57aeb159f75f02aca2432d3c262186d13d3"
UPSTREAM_URL = "https://raw.githubusercontent.com/devrimgunduz/pagila/{commit}/{name}"
FILES = {
    "pagila-schema.sql": "8ce358e4c8014087b85296694a0893887bd7a4190e3ce407f2721b86b98e5707",
    "pagila-data.sql": "880580fb2cd4daaa99f290ced264988cdd657b3158be63cd281466f796f6dbf2",
}
CACHE_DIR = Path(__file__).resolve().parents[2] / ".cache" / "pagila" / UPSTREAM_COMMIT

# Ownership statements name the dump's ``postgres`` role, which another server may not have;
# the objects belong to whoever loads them instead.
_OWNER_STATEMENT = re.compile(r"^ALTER [A-Z ]+ .+ OWNER TO .+;$", re.MULTILINE)
_COPY_START = re.compile(r"^COPY (\S+) \((.*)\) FROM stdin;$")


class PagilaError(Exception):
    """A problem with the Pagila source files or the target database, explained for humans."""


@dataclass(frozen=True)
class PagilaFiles:
    schema: Path
    data: Path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verify(path: Path, expected: str) -> None:
    actual = sha256_of(path)
    if actual != expected:
        raise PagilaError(
            f"{path} does not match the pinned Pagila release: SHA-256 is {actual}, "
            f"expected {expected}. Use the files from commit {UPSTREAM_COMMIT}."
        )


def _download(name: str, target: Path, log: Callable[[str], None]) -> None:
    address = UPSTREAM_URL.format(commit=UPSTREAM_COMMIT, name=name)
    log(f"Downloading {address}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    try:
        # The address is our fixed https URL, never user input.
        response = urllib.request.urlopen(address, timeout=60)  # noqa: S310
        with response, partial.open("wb") as fh:
            while block := response.read(1 << 16):
                fh.write(block)
    except (urllib.error.URLError, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise PagilaError(
            f"Could not download {address}: {exc}. Set PAGILA_DIR to a folder holding "
            f"{', '.join(FILES)} to load offline."
        ) from exc
    partial.replace(target)


def locate(pagila_dir: Path | None, log: Callable[[str], None] = print) -> PagilaFiles:
    """The verified schema and data files, from ``pagila_dir`` or the upstream download."""
    paths = {}
    for name, checksum in FILES.items():
        if pagila_dir is not None:
            path = Path(pagila_dir) / name
            if not path.is_file():
                raise PagilaError(f"PAGILA_DIR is {pagila_dir}, but {path} does not exist.")
        else:
            path = CACHE_DIR / name
            if not path.is_file() or sha256_of(path) != checksum:
                _download(name, path, log)
        _verify(path, checksum)
        paths[name] = path
    return PagilaFiles(schema=paths["pagila-schema.sql"], data=paths["pagila-data.sql"])


def is_loaded(conn: psycopg.Connection) -> bool:
    return conn.execute("SELECT to_regclass('public.film') IS NOT NULL").fetchone()[0]


def _data_chunks(path: Path) -> Iterator[tuple[str, str | list[str]]]:
    """Yield ``("sql", statement_text)`` and ``("copy", [header, rows...])`` in file order."""
    pending: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            match = _COPY_START.match(line.rstrip("\n"))
            if not match:
                pending.append(line)
                continue
            if pending:
                yield "sql", "".join(pending)
                pending = []
            rows = []
            for row in fh:
                if row == "\\.\n" or row == "\\.":
                    break
                rows.append(row)
            else:
                raise PagilaError(f"{path}: COPY block for {match.group(1)} is not terminated")
            yield "copy", [line.rstrip("\n").removesuffix(";"), *rows]
    if pending:
        yield "sql", "".join(pending)


def load(
    conninfo: str, files: PagilaFiles, *, replace: bool = False, log: Callable[[str], None] = print
) -> None:
    """Load Pagila into the database at ``conninfo`` in one transaction.

    Refuses a database that already holds Pagila unless ``replace`` is set, in which case the
    ``public`` schema is dropped and recreated first (Django's tables with it: migrate again).
    """
    with psycopg.connect(conninfo) as conn:
        if is_loaded(conn):
            if not replace:
                raise PagilaError(
                    "This database already holds Pagila (table public.film exists); "
                    "refusing to touch it. Pass --replace to drop everything and reload."
                )
            log("Dropping the existing public schema")
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
        log(f"Creating the schema from {files.schema.name}")
        conn.execute(_OWNER_STATEMENT.sub("", files.schema.read_text(encoding="utf-8")))
        with conn.cursor() as cur:
            for kind, chunk in _data_chunks(files.data):
                if kind == "sql":
                    cur.execute(chunk)
                    continue
                header, *rows = chunk
                with cur.copy(header) as copy:
                    for row in rows:
                        copy.write(row)
                log(f"  {_COPY_START.match(header + ';').group(1)}: {len(rows)} rows")
        # The dump clears search_path for its own session; the connection ends here anyway.
    log("Pagila loaded")

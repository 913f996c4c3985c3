"""Keep-alive connections to each worker of a production live server, for tests of what workers share.

``live.serve(..., production=True)`` runs ``scripts/serve`` as ``make run`` does: gunicorn with two
worker processes, each listening on a socket of its own (``--reuse-port``), the kernel choosing
which one accepts a new connection. A test that must see both workers answer (a count that every
worker shares) can't leave that to chance: :func:`one_per_worker` opens connections until each
worker holds one, telling them apart by the process that holds the server's end of each
connection (Linux's ``/proc``), and keeps them open, so every request on one reaches that worker.
The server must keep idle connections open longer than the test takes: start it with
:data:`HOLD_CONNECTIONS` in its environment (gunicorn's keep-alive is 2 seconds, which a busy
machine's test exceeds between two requests, and the worker then closes the connection).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

from pagila_site.testsupport.live import LiveServer

#: The environment of a server whose workers keep idle connections for ten minutes.
HOLD_CONNECTIONS = {"GUNICORN_CMD_ARGS": "--keep-alive 600"}


@dataclass
class Answer:
    status: int
    headers: Message
    body: str


@dataclass
class WorkerConnection:
    """A keep-alive connection, and the pid of the server process that accepted it."""

    connection: http.client.HTTPConnection
    pid: int

    def request(self, method: str, path: str, *, body: bytes | None = None, headers=None) -> Answer:
        port = self.connection.sock.getsockname()[1]
        self.connection.request(method, path, body=body, headers=headers or {})
        response = self.connection.getresponse()
        answer = Answer(response.status, response.headers, response.read().decode(errors="replace"))
        # http.client opens a new connection (to any worker) if the server closed this one.
        assert self.connection.sock is not None, f"{self.pid} closed the connection"
        assert self.connection.sock.getsockname()[1] == port, "the request went out on another connection"
        return answer


@contextlib.contextmanager
def one_per_worker(
    server: LiveServer, workers: int = 2, tries: int = 200
) -> Iterator[list[WorkerConnection]]:
    """One open connection to each of ``server``'s ``workers`` processes, closed afterwards."""
    netloc = urllib.parse.urlsplit(server.url)
    kept: dict[int, WorkerConnection] = {}
    try:
        for _ in range(tries):
            connection = http.client.HTTPConnection(netloc.hostname, netloc.port, timeout=30)
            connection.request("GET", "/health")
            connection.getresponse().read()  # answered: the worker has accepted it
            pid = _holder(netloc.port, connection.sock.getsockname()[1])
            if pid in kept:
                connection.close()
                continue
            kept[pid] = WorkerConnection(connection, pid)
            if len(kept) == workers:
                break
        assert len(kept) == workers, f"{tries} connections reached {len(kept)} worker(s), not {workers}"
        yield list(kept.values())
    finally:
        for worker in kept.values():
            worker.connection.close()


def _holder(server_port: int, client_port: int) -> int:
    """The pid of the process holding the server's end of the local TCP connection between
    ``client_port`` and ``server_port``."""
    inode = _socket_inode(server_port, client_port)
    for process in Path("/proc").iterdir():
        if not process.name.isdigit() or int(process.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            for fd in (process / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) == f"socket:[{inode}]":
                        return int(process.name)
    raise AssertionError(f"no process holds the server's end of 127.0.0.1:{client_port}")


def _socket_inode(server_port: int, client_port: int) -> str:
    # /proc/net/tcp: "sl local_address rem_address st ... uid timeout inode", addresses as HEX:PORT.
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = (int(address.split(":")[1], 16) for address in fields[1:3])
        if (local, remote) == (server_port, client_port):
            return fields[9]
    raise AssertionError(f"no TCP connection from 127.0.0.1:{client_port} to port {server_port}")

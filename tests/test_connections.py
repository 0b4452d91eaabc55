"""Keep-alive connections under the server's real uvicorn configuration and the WorkerPool's forks.

The load test's transport errors (docs/security.md, "Load test") came from uvicorn closing connections idle
for 5 s, its default, while httpx (whose own idle expiry is also 5 s) reused them. These tests hold the
server to a keep-alive longer than the clients', and check that forking workers while client connections
are open neither resets them nor leaves them held open by a worker.
"""

from __future__ import annotations

import http.client
import os
import stat
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
from server_utils import live_server

from stancekb.api.main import KEEP_ALIVE_SECONDS
from stancekb.store import WorkerPool

ASK = "/sparql?query=" + quote("ASK {}")
TOKEN = "connections-test-token-5f1c"
GRAPH = "https://example.org/connections/g{n}"
TURTLE = '<https://example.org/connections/item> <http://xmlns.com/foaf/0.1/name> "item {n}" .'
HTTPX_IDLE_EXPIRY = 5.0
"""httpx's default keep-alive expiry; uvicorn's default keep-alive timeout is the same."""


def test_a_connection_idle_past_uvicorns_default_is_still_served() -> None:
    """A client reusing a connection idle 6 s gets its answer on that same connection (uvicorn's 5 s closed it)."""
    assert KEEP_ALIVE_SECONDS > HTTPX_IDLE_EXPIRY * 2
    opened: list[object] = []

    def trace(event: str, info: dict[str, object]) -> None:
        if event == "connection.connect_tcp.complete":
            opened.append(info["return_value"])

    limits = httpx.Limits(max_connections=1, keepalive_expiry=KEEP_ALIVE_SECONDS - 5)
    with live_server() as server, httpx.Client(base_url=server.url, limits=limits, timeout=30) as client:
        assert client.get(ASK, extensions={"trace": trace}).status_code == 200
        time.sleep(HTTPX_IDLE_EXPIRY + 1)
        assert client.get(ASK, extensions={"trace": trace}).status_code == 200
    assert len(opened) == 1, "the server closed the idle connection, so the client had to open another"


def _sockets_of(pid: int) -> list[str]:
    """The socket inodes a process holds open."""
    folder = Path(f"/proc/{pid}/fd")
    held = []
    for fd in os.listdir(folder):
        try:
            if stat.S_ISSOCK(os.stat(folder / fd).st_mode):
                held.append(os.readlink(folder / fd))
        except OSError:  # closed meanwhile
            continue
    return held


def _only_its_pipe(pid: int) -> bool:
    """Whether the worker holds one socket alone, its pipe to the server (waiting up to 5 s for it to close)."""
    deadline = time.monotonic() + 5
    while len(_sockets_of(pid)) != 1:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_forking_workers_while_connections_are_open_resets_none() -> None:
    """Writes re-fork the pool while 16 keep-alive connections are open: each still answers on its socket."""
    with live_server(update_token=TOKEN) as server:
        host, port = urlsplit(server.url).hostname, urlsplit(server.url).port
        connections = [http.client.HTTPConnection(str(host), port, timeout=30) for _ in range(16)]
        for connection in connections:
            connection.request("GET", ASK)
            response = connection.getresponse()
            assert response.status == 200, response.read()
            response.read()
        sockets = [connection.sock for connection in connections]
        pool: WorkerPool = server.app.state.pool  # type: ignore[attr-defined]
        forked: set[int] = set()
        with httpx.Client(base_url=server.url, timeout=60, headers={"authorization": f"Bearer {TOKEN}"}) as writer:
            for n in range(4):  # each write makes the workers out of date; the next queries fork new ones
                put = writer.put(
                    "/graph-store",
                    params={"graph": GRAPH.format(n=n)},
                    content=TURTLE.format(n=n),
                    headers={"content-type": "text/turtle"},
                )
                assert put.status_code in {201, 204}, put.text
                for connection in connections[n::4]:
                    connection.request("GET", ASK)
                    response = connection.getresponse()
                    assert response.status == 200, response.read()
                    response.read()
                forked |= {worker.pid for worker in pool._workers}
        assert len(forked) > pool.size, "the writes did not re-fork the workers"
        for worker in list(pool._workers):
            assert _only_its_pipe(worker.pid), (
                f"worker {worker.pid} holds sockets it inherited: {_sockets_of(worker.pid)}"
            )
        for connection, sock in zip(connections, sockets, strict=True):
            connection.request("GET", ASK)
            response = connection.getresponse()
            assert response.status == 200
            response.read()
            assert connection.sock is sock, "the connection was reset and reopened"
            connection.close()

"""A real Virtuoso open source server for the tests, on loopback, started once per session.

``virtuoso`` writes a minimal ``virtuoso.ini`` in a temporary folder (database files there, the SQL and HTTP
ports free ports of 127.0.0.1), starts ``virtuoso-t -c FILE -f``, waits until ``/sparql`` answers, grants
SPARQL Update to the anonymous ``SPARQL`` user through ``isql-vt``, and stops the server at the end.
Without ``virtuoso-t`` (Debian's ``virtuoso-opensource-7-bin``, in scripts/system-packages-test.txt) the
fixture fails when ``CI`` is set, and skips otherwise.

``virtuoso_store`` is an empty ``RemoteStore`` on it: each use first drops the graphs the last one left.
``Traffic`` counts a store's requests and bytes (a write must not download the store).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from stancekb.remote import RemoteStore

INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
NumberOfBuffers = 20000
MaxDirtyBuffers = 12000
DirsAllowed = {folder}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerThreads = 8

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""
GRANTS = 'GRANT SPARQL_UPDATE TO "SPARQL"; GRANT EXECUTE ON DB.DBA.SPARQL_INSERT_DICT_CONTENT TO "SPARQL";'
START_SECONDS = 60


@dataclass(frozen=True)
class Virtuoso:
    """A running server: its SPARQL and Graph Store endpoints, and the store location naming both."""

    sparql: str
    graph_store: str

    @property
    def location(self) -> str:
        """The ``sparql:`` store location of this server."""
        return f"sparql:{self.sparql}?graph-store={self.graph_store}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _missing(message: str) -> None:
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def running_virtuoso(folder: Path) -> Iterator[Virtuoso]:
    """Run Virtuoso with its files in ``folder`` until exit (``RuntimeError`` if it does not come up)."""
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if binary is None or isql is None:
        raise FileNotFoundError("virtuoso-t or isql-vt is not installed: apt-get install virtuoso-opensource-7-bin")
    sql_port, http_port = _free_port(), _free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(INI.format(folder=folder, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    log = (folder / "stdout.log").open("wb")
    process = subprocess.Popen([binary, "-c", str(ini), "-f"], cwd=folder, stdout=log, stderr=subprocess.STDOUT)
    server = Virtuoso(f"http://127.0.0.1:{http_port}/sparql", f"http://127.0.0.1:{http_port}/sparql-graph-crud")
    try:
        _wait_until_up(process, server.sparql, folder)
        granted = subprocess.run(
            [isql, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={GRANTS}"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if granted.returncode != 0 or "Error" in granted.stdout:
            raise RuntimeError(f"isql-vt could not grant SPARQL Update: {granted.stdout}{granted.stderr}")
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_until_up(process: subprocess.Popen[bytes], sparql: str, folder: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = (folder / "stdout.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"virtuoso-t exited with {process.returncode}: {output}")
        try:
            if httpx.get(sparql, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"Virtuoso did not answer at {sparql} within {START_SECONDS} s")


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """Virtuoso open source on free ports of 127.0.0.1, with SPARQL Update granted, until the session ends."""
    if shutil.which("virtuoso-t") is None or shutil.which("isql-vt") is None:
        _missing("virtuoso-t or isql-vt is not installed: apt-get install virtuoso-opensource-7-bin")
    try:
        with running_virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
            yield server
    except RuntimeError as error:
        pytest.fail(str(error))


def empty(store: RemoteStore) -> RemoteStore:
    """The store with every graph of its own dropped, its default graph (a graph of the server's) too, in one update."""
    graphs = [*store.named_graphs(), store.default_graph]
    store.update(" ;\n".join(f"DROP SILENT GRAPH <{iri}>" for iri in graphs))
    return store


class Traffic:
    """Counts the requests a remote store sends from now on, the bytes it sends and the bytes its server answers."""

    def __init__(self, store: RemoteStore) -> None:
        self.requests = 0
        self.sent = 0
        self.received = 0
        send = store._send

        def counted(*args: Any, **kwargs: Any) -> httpx.Response:
            response = send(*args, **kwargs)
            self.requests += 1
            self.sent += len(response.request.content)
            self.received += len(response.content)
            return response

        store._send = counted  # type: ignore[method-assign]


@pytest.fixture
def virtuoso_store(virtuoso: Virtuoso) -> Iterator[RemoteStore]:
    """An empty store on the session's Virtuoso."""
    store = empty(RemoteStore(virtuoso.location))
    yield store
    store.close()

"""Nothing leaves the machine: no query, update, upload or file makes StanceKB connect out or read a local file.

Every door is tried (the Python API, ``stancekb load`` / ``validate`` / ``query``, ``/graph-store``, ``/sparql``)
with inputs that would make a careless parser or engine fetch: SPARQL SERVICE and LOAD, JSON-LD with a remote
or a ``file:`` ``@context``, RDF/XML with external entities and DTDs, and ``owl:imports`` (which owlready2
follows). Two witnesses must see nothing: a listener on loopback that counts connections, and a secret file
outside the project that is a named pipe, so that opening it is noticed (a watcher thread answers each open).
"""

from __future__ import annotations

import errno
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
from server_utils import TOKEN, LiveServer, live_server
from test_cli import invoke

from stancekb.load import load_files
from stancekb.rdfio import RdfInputError, parse_bytes, parse_file
from stancekb.store import ForbiddenOperation, QuerySyntaxError, Store, open_store

SECRET = "TOP-SECRET-4f1c"
SETTLE = 0.2  # seconds to wait for a connection or an open that would come late


@dataclass
class Witnesses:
    """The loopback listener and the secret named pipe; ``seen()`` says what reached either so far."""

    url: str
    secret: Path
    connections: list[bytes] = field(default_factory=list)
    opens: int = 0

    def seen(self, settle: float = 0.0) -> tuple[int, int]:
        """(connections to the listener, opens of the secret file), after ``settle`` seconds for late ones."""
        time.sleep(settle)
        return len(self.connections), self.opens


@pytest.fixture(scope="module")
def witnesses(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Witnesses]:
    sock = socket.create_server(("127.0.0.1", 0))
    sock.settimeout(0.05)
    secret = tmp_path_factory.mktemp("outside") / "secret.ttl"
    os.mkfifo(secret)
    found = Witnesses(f"http://127.0.0.1:{sock.getsockname()[1]}/data", secret)
    stop = threading.Event()

    def listen() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            conn.settimeout(1)
            try:
                found.connections.append(conn.recv(4096))
            except OSError:
                found.connections.append(b"")
            conn.close()

    def watch() -> None:  # a reader blocked in open() of the pipe lets this non-blocking open succeed
        while not stop.is_set():
            try:
                fd = os.open(secret, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as error:
                if error.errno != errno.ENXIO:
                    raise
                time.sleep(0.01)
                continue
            found.opens += 1
            try:
                os.write(fd, f'<urn:x:s> <urn:x:p> "{SECRET}" .\n'.encode())
            finally:
                os.close(fd)

    threads = [threading.Thread(target=target, daemon=True) for target in (listen, watch)]
    for thread in threads:
        thread.start()
    yield found
    stop.set()
    for thread in threads:
        thread.join(timeout=5)
    sock.close()


@pytest.fixture
def nothing_reached(witnesses: Witnesses) -> Iterator[Witnesses]:
    """The witnesses, checked after the test: no new connection, no open of the secret file."""
    before = witnesses.seen()
    yield witnesses
    assert witnesses.seen(SETTLE) == before, f"connections or opens: {witnesses.connections[before[0] :]}"


# --- the hostile inputs -----------------------------------------------------------------------------------

RDF_XML = (
    '<?xml version="1.0"?>{doctype}\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    'xmlns:ex="https://example.org/egress/"><rdf:Description rdf:about="https://example.org/egress/s">'
    "<ex:p>{value}</ex:p></rdf:Description></rdf:RDF>"
)


def hostile(url: str, secret: Path) -> dict[str, tuple[str, str]]:
    """Name -> (file suffix, content) of inputs that ask for the listener or the secret file."""
    file_iri = secret.as_uri()
    imports = (
        "<https://example.org/egress/o> a <http://www.w3.org/2002/07/owl#Ontology> ;\n"
        f"  <http://www.w3.org/2002/07/owl#imports> <{url}>, <{file_iri}> .\n"
        "<https://w3id.org/stancekb/ontology> <http://www.w3.org/2002/07/owl#imports> "
        f"<{url}>, <{file_iri}> .\n"
    )
    return {
        "rdfxml-entity-file": (
            ".rdf",
            RDF_XML.format(doctype=f'<!DOCTYPE r [<!ENTITY x SYSTEM "{file_iri}">]>', value="&x;"),
        ),
        "rdfxml-entity-http": (
            ".rdf",
            RDF_XML.format(doctype=f'<!DOCTYPE r [<!ENTITY x SYSTEM "{url}">]>', value="&x;"),
        ),
        "rdfxml-parameter-entity": (
            ".rdf",
            RDF_XML.format(doctype=f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{url}"> %p;]>', value="a"),
        ),
        "rdfxml-external-dtd": (".rdf", RDF_XML.format(doctype=f'<!DOCTYPE r SYSTEM "{url}">', value="a")),
        "rdfxml-external-dtd-file": (".rdf", RDF_XML.format(doctype=f'<!DOCTYPE r SYSTEM "{file_iri}">', value="a")),
        "jsonld-remote-context": (".jsonld", f'{{"@context": "{url}", "@id": "https://example.org/egress/s"}}'),
        "jsonld-file-context": (".jsonld", f'{{"@context": "{file_iri}", "@id": "https://example.org/egress/s"}}'),
        "jsonld-import": (
            ".jsonld",
            f'{{"@context": {{"@version": 1.1, "@import": "{url}"}}, "@id": "https://example.org/egress/s"}}',
        ),
        "jsonld-scoped-context": (
            ".jsonld",
            f'{{"@context": {{"ex": {{"@id": "https://example.org/egress/p", "@context": "{url}"}}}}, '
            '"@id": "https://example.org/egress/s", "ex": {"@id": "https://example.org/egress/o"}}',
        ),
        "turtle-owl-imports": (".ttl", imports),
        "trig-owl-imports": (".trig", f"<https://example.org/egress/graph> {{ {imports} }}"),
    }


NAMES = list(hostile("http://x/", Path("/x")))
PARSEABLE = {"rdfxml-external-dtd", "rdfxml-external-dtd-file", "turtle-owl-imports", "trig-owl-imports"}
"""The inputs that are valid RDF once the fetch they ask for is not made (the others are refused)."""


@pytest.fixture(scope="module")
def files(witnesses: Witnesses, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    paths = {}
    for name, (suffix, content) in hostile(witnesses.url, witnesses.secret).items():
        paths[name] = folder / f"{name}{suffix}"
        paths[name].write_text(content, encoding="utf-8")
    return paths


# --- the Python API ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_parsing_fetches_nothing(nothing_reached: Witnesses, files: dict[str, Path], name: str) -> None:
    path = files[name]
    fmt = ox.RdfFormat.from_extension(path.suffix[1:])
    assert fmt is not None
    for parse in (lambda: parse_file(path), lambda: parse_bytes(path.read_bytes(), fmt, base_iri="https://x.org/")):
        if name in PARSEABLE:
            assert SECRET not in str(list(parse().quads()))
        else:
            with pytest.raises(RdfInputError) as error:
                parse()
            assert SECRET not in str(error.value)


@pytest.mark.parametrize("name", NAMES)
def test_loading_fetches_nothing(nothing_reached: Witnesses, files: dict[str, Path], name: str) -> None:
    store = open_store("oxigraph:")
    if name in PARSEABLE:
        assert load_files(store, [files[name]]).committed
        assert all(SECRET not in str(quad) for quad in store.quads())
    else:
        with pytest.raises(RdfInputError):
            load_files(store, [files[name]])
        assert len(store) == 0


def test_the_store_refuses_service_and_load(nothing_reached: Witnesses, store: Store) -> None:
    url, file_iri = nothing_reached.url, nothing_reached.secret.as_uri()
    for query in (f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", f"ASK {{ SERVICE SILENT <{url}> {{ }} }}"):
        with pytest.raises(ForbiddenOperation):
            store.query(query)
    for update in (
        f"LOAD <{url}>",
        f"LOAD SILENT <{file_iri}> INTO GRAPH <https://example.org/g>",
        f"\\u004cOAD <{url}>",
        f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    ):
        with pytest.raises(ForbiddenOperation):
            store.update(update)
    assert store.query(f"SELECT * FROM <{url}> FROM NAMED <{file_iri}> WHERE {{ ?s ?p ?o }}").rows == []
    deep = "SELECT * WHERE " + "{" * 300 + "}" * 300
    with pytest.raises(QuerySyntaxError, match="nest more than"):
        store.query(deep)
    with pytest.raises(QuerySyntaxError, match="nest more than"):
        store.update("INSERT { <urn:a> <urn:b> <urn:c> } WHERE " + "{" * 300 + "}" * 300)
    assert len(store) == 0


# --- the command line -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_stancekb_load_fetches_nothing(
    nothing_reached: Witnesses, files: dict[str, Path], tmp_path: Path, name: str
) -> None:
    result = invoke("--store", f"oxigraph:{tmp_path / 'store'}", "load", files[name])
    assert result.exit_code == (0 if name in PARSEABLE else 2), result.output
    assert SECRET not in result.output and "Traceback" not in result.output


def test_stancekb_validate_fetches_nothing(
    nothing_reached: Witnesses, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SHACL and HermiT (through owlready2, which would follow owl:imports) over every parseable hostile file.

    The KB's own files are left out, so that the reasoner runs on the ontology and the hostile data alone.
    """
    monkeypatch.setattr("stancekb.cli.kb_files", list)
    result = invoke("validate", *(files[name] for name in sorted(PARSEABLE)))
    assert "reasoner: consistent" in result.output, result.output
    assert SECRET not in result.output


def test_stancekb_query_refuses_service(nothing_reached: Witnesses, tmp_path: Path) -> None:
    result = invoke(
        "--store", f"oxigraph:{tmp_path / 'store'}", "query", f"ASK {{ SERVICE <{nothing_reached.url}> {{}} }}"
    )
    assert result.exit_code != 0 and "SERVICE is not allowed" in result.output


# --- HTTP -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with live_server(open_store("oxigraph:"), update_token=TOKEN) as running:
        yield running


MEDIA_TYPES = {".rdf": "application/rdf+xml", ".jsonld": "application/ld+json", ".ttl": "text/turtle"}


@pytest.mark.parametrize("name", [name for name in NAMES if not name.startswith("trig")])
def test_graph_store_uploads_fetch_nothing(
    nothing_reached: Witnesses, server: LiveServer, files: dict[str, Path], name: str
) -> None:
    path = files[name]
    headers = {"content-type": MEDIA_TYPES[path.suffix], "authorization": f"Bearer {TOKEN}"}
    with server.client() as http:
        response = http.put(
            "/graph-store", params={"graph": f"https://example.org/{name}"}, content=path.read_bytes(), headers=headers
        )
    assert response.status_code == (201 if name in PARSEABLE else 400), response.text
    assert SECRET not in response.text


def test_sparql_update_and_query_fetch_nothing(nothing_reached: Witnesses, server: LiveServer) -> None:
    url, file_iri = nothing_reached.url, nothing_reached.secret.as_uri()
    updates = [
        f"LOAD <{url}>",
        f"load silent <{file_iri}> into graph <https://example.org/g>",
        f"\\u004cOAD <{url}>",
        f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    ]
    before = set(server.store.quads())
    with server.client() as http:
        for update in updates:
            response = http.post(
                "/sparql",
                content=update,
                headers={"content-type": "application/sparql-update", "authorization": f"Bearer {TOKEN}"},
            )
            assert response.status_code == 400 and response.json()["type"].endswith("/forbidden-operation"), update
        response = http.get("/sparql", params={"query": f"ASK {{ SERVICE SILENT <{url}> {{ }} }}"})
        assert response.status_code == 400
        response = http.get(
            "/sparql",
            params={"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": url, "named-graph-uri": file_iri},
        )
        assert response.status_code == 200
        response = http.get(
            "/sparql", params={"query": f"SELECT * FROM <{url}> FROM NAMED <{file_iri}> {{ ?s ?p ?o }}"}
        )
        assert response.status_code == 200
    assert set(server.store.quads()) == before

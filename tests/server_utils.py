"""A real uvicorn server on 127.0.0.1 for tests, and a runner for the W3C protocol test manifests.

``live_server`` binds a free loopback port first (so that the app's ``base_url`` names it), runs uvicorn in a
thread and stops it on exit. ``read_manifest`` and ``run_test`` drive the W3C SPARQL 1.1 Protocol and Graph
Store Protocol manifests (../shared/conformance/README.md) against such a server.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path

import httpx
import pyoxigraph as ox
import uvicorn
from rdflib import RDF, Graph, Literal, Namespace
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.term import Node

from stancekb.api.main import create_app, server_config
from stancekb.settings import Settings
from stancekb.store import Store

TOKEN = "test-token-0123456789"
CONFORMANCE = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "sparql" / "sparql11"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")


@dataclass
class LiveServer:
    """A running server: its base URL, the app and the store it serves."""

    url: str
    app: object
    store: Store
    settings: Settings

    def client(self, **kwargs: object) -> httpx.Client:
        """An httpx client for this server."""
        return httpx.Client(base_url=self.url, timeout=60, **kwargs)  # type: ignore[arg-type]


@contextmanager
def live_server(store: Store | None = None, **settings: object) -> Iterator[LiveServer]:
    """Serve ``store`` on a free port of 127.0.0.1 until exit.

    Without a store, the app opens the one the settings name (default: a new in-memory Oxigraph store) and
    loads the packaged knowledge base if ``load_kb=True`` is given.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    config = Settings(**{"base_url": url, "port": port, "load_kb": False, **settings})  # type: ignore[arg-type]
    app = create_app(config, store=store)
    server = uvicorn.Server(server_config(app, config, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield LiveServer(url, app, app.state.store, config)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


# ---------------------------------------------------------------------------------------------------------
# W3C protocol manifests
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Expected:
    """What a response must be: one of the statuses (or status classes), and optionally more."""

    statuses: list[str]
    format: str | None = None
    boolean: bool | None = None
    content_type: str | None = None
    body: str | None = None
    location: str | None = None


@dataclass
class Request:
    """One HTTP request of a test, as the manifest gives it."""

    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    encoding: str
    expected: Expected


@dataclass
class ManifestTest:
    """A manifest entry: its name, requests, setup graphs (file, graph IRI) and required features."""

    iri: str
    name: str
    requests: list[Request]
    graph_data: list[tuple[Path, str]] = field(default_factory=list)
    requires: list[str] = field(default_factory=list)


def _list(graph: Graph, head: Node | None) -> list[Node]:
    return list(Collection(graph, head)) if head is not None else []


def _headers(graph: Graph, node: Node) -> dict[str, str]:
    return {
        str(graph.value(h, HT.fieldName)).lower(): str(graph.value(h, HT.fieldValue))
        for h in _list(graph, graph.value(node, HT.headers))
    }


def _request(graph: Graph, node: Node) -> Request:
    response = graph.value(node, HT.resp)
    body = graph.value(node, HT.body)
    expected_body = graph.value(response, HT.body)
    boolean = graph.value(response, MF.expectedBoolean)
    return Request(
        method=str(graph.value(node, HT.methodName)),
        path=str(graph.value(node, HT.absolutePath)),
        headers=_headers(graph, node),
        body=str(graph.value(body, CNT.chars)) if body is not None else None,
        encoding=str(graph.value(body, CNT.characterEncoding) or "UTF-8") if body is not None else "UTF-8",
        expected=Expected(
            statuses=sorted(str(s).removeprefix(str(HTS)) for s in graph.objects(response, MF.expectedStatus)),
            format=str(graph.value(response, MF.expectedFormat) or "") or None,
            boolean=boolean.toPython() if isinstance(boolean, Literal) else None,
            content_type=_headers(graph, response).get("content-type"),
            body=str(graph.value(expected_body, CNT.chars)) if expected_body is not None else None,
            location=str(graph.value(response, MF.expectedLocation) or "") or None,
        ),
    )


def read_manifest(path: Path) -> list[ManifestTest]:
    """The tests of a manifest in its order, following ``mf:include``."""
    graph = Graph().parse(path, format="turtle")
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    tests: list[ManifestTest] = []
    for included in _list(graph, graph.value(manifest, MF.include)):
        tests += read_manifest(path.parent / Path(str(included)).name)
    for entry in _list(graph, graph.value(manifest, MF.entries)):
        action = graph.value(entry, MF.action)
        tests.append(
            ManifestTest(
                iri=str(entry),
                name=str(graph.value(entry, MF.name)),
                requests=[_request(graph, r) for r in _list(graph, graph.value(action, HT.requests))],
                graph_data=[
                    (path.parent / Path(str(graph.value(d, UT.graph))).name, str(graph.value(d, RDFS.label)))
                    for d in graph.objects(entry, UT.graphData)
                ],
                requires=sorted(str(r).removeprefix(str(MF)) for r in graph.objects(entry, MF.requires)),
            )
        )
    return tests


def load_graph_data(store: Store, test: ManifestTest) -> None:
    """Empty the store, then load the test's data files into the named graphs the manifest gives."""
    store.update("DROP ALL")
    for path, graph_iri in test.graph_data:
        quads = ox.parse(path.read_bytes(), ox.RdfFormat.N_TRIPLES)
        store.update(
            "INSERT DATA { GRAPH <%s> { %s } }" % (graph_iri, " ".join(f"{q.triple} ." for q in quads))  # noqa: UP031
        )


def _status_ok(status: int, expected: list[str]) -> bool:
    for name in expected:
        if match := re.fullmatch(r"StatusCode(\d)xx", name):
            if status // 100 == int(match.group(1)):
                return True
        elif status == HTTPStatus[re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name).upper()]:
            return True
    return False


RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "text/csv": None,
}


def _check_format(response: httpx.Response, expected: Expected) -> None:
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    if expected.format == "RDF":
        fmt = ox.RdfFormat.from_media_type(media_type)
        assert fmt is not None, f"not an RDF media type: {media_type}"
        list(ox.parse(response.content, fmt))
        return
    assert media_type in RESULT_TYPES, f"not a SPARQL results media type: {media_type}"
    fmt = RESULT_TYPES[media_type]
    if expected.format == "boolean":
        assert fmt is not None, "a boolean needs SPARQL JSON or XML results"
        parsed = ox.parse_query_results(response.content, fmt)
        assert isinstance(parsed, ox.QueryBoolean), "expected a boolean result"
        if expected.boolean is not None:
            assert bool(parsed) is expected.boolean
    elif fmt is not None:
        assert isinstance(ox.parse_query_results(response.content, fmt), ox.QuerySolutions)


def run_test(server: LiveServer, test: ManifestTest, prefixes: dict[str, str]) -> None:
    """Send a test's requests in order (paths mapped by ``prefixes``) and check each response."""
    variables: dict[str, str] = {}
    with server.client() as client:
        for number, request in enumerate(test.requests, start=1):
            path = request.path
            for manifest_prefix, ours in prefixes.items():
                if path.startswith(manifest_prefix):
                    path = ours + path[len(manifest_prefix) :]
                    break
            body = request.body
            for name, value in variables.items():
                path = path.replace(name, value)
                body = body.replace(name, value) if body is not None else None
            headers = {**request.headers, "authorization": f"Bearer {TOKEN}"}
            content = body.encode(request.encoding) if body is not None else None
            response = client.request(request.method, path, headers=headers, content=content)
            where = f"request {number} ({request.method} {path}) answered {response.status_code}: {response.text[:300]}"
            assert _status_ok(response.status_code, request.expected.statuses), where
            if request.expected.format:
                _check_format(response, request.expected)
            if request.expected.content_type:
                assert response.headers["content-type"].lower() == request.expected.content_type.lower(), where
            if request.expected.body is not None:
                fmt = request.expected.content_type or "text/turtle"
                expected = Graph().parse(data=request.expected.body, format=fmt.split(";")[0])
                actual = Graph().parse(data=response.text, format=fmt.split(";")[0])
                assert isomorphic(expected, actual), f"{where}\nexpected {expected.serialize()}"
            if request.expected.location:
                variables[request.expected.location] = response.headers["location"]

"""The SPARQL 1.1 Protocol endpoint (/sparql) against a real server: queries, formats, errors, limits, updates."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import FOAF, VOID
from server_utils import TOKEN, LiveServer, live_server

from stancekb.describe import DATASET
from stancekb.resources import query_files
from stancekb.store import QueryRequest, Store, WorkerPool, open_store

EX = Namespace("https://example.org/t/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
GRAPH_A, GRAPH_B = EX["graph/a"], EX["graph/b"]
DATA = f"""INSERT DATA {{
  GRAPH <{GRAPH_A}> {{ <{EX.alice}> <{FOAF.name}> "Alice" ; <{EX.knows}> <{EX.bob}> . }}
  GRAPH <{GRAPH_B}> {{ <{EX.bob}> <{FOAF.name}> "Bob"@en ; <{EX.age}> 42 . }}
}}"""
NAMES = f"SELECT ?s ?name WHERE {{ ?s <{FOAF.name}> ?name }} ORDER BY ?s"
KNOWS = f"CONSTRUCT {{ ?b <{EX.knownBy}> ?a }} WHERE {{ ?a <{EX.knows}> ?b }}"


def filled_store() -> Store:
    store = open_store("oxigraph:")
    store.update(DATA)
    return store


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with live_server(filled_store(), update_token=TOKEN) as running:
        yield running


@pytest.fixture
def client(server: LiveServer):
    with server.client() as http:
        yield http


def rows(response) -> set[tuple[str, ...]]:
    fmt = ox.QueryResultsFormat.from_media_type(response.headers["content-type"].split(";")[0])
    solutions = ox.parse_query_results(response.content, fmt)
    return {tuple(str(solution[v]) for v in solutions.variables) for solution in solutions}


EXPECTED_NAMES = {(f"<{EX.alice}>", '"Alice"'), (f"<{EX.bob}>", '"Bob"@en')}


@pytest.mark.parametrize("method", ["GET", "form POST", "direct POST"])
def test_query_by_each_method(client, method):
    if method == "GET":
        response = client.get("/sparql", params={"query": NAMES})
    elif method == "form POST":
        response = client.post("/sparql", data={"query": NAMES})
    else:
        response = client.post("/sparql", content=NAMES, headers={"content-type": "application/sparql-query"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert rows(response) == EXPECTED_NAMES


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
    ],
)
def test_select_results_in_each_format(client, accept, content_type):
    response = client.get("/sparql", params={"query": NAMES}, headers={"accept": accept})
    assert response.headers["content-type"] == content_type
    assert rows(response) == EXPECTED_NAMES


def test_select_results_in_csv(client):
    response = client.get("/sparql", params={"query": NAMES}, headers={"accept": "text/csv"})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert list(csv.reader(io.StringIO(response.text))) == [
        ["s", "name"],
        [str(EX.alice), "Alice"],
        [str(EX.bob), "Bob"],
    ]


@pytest.mark.parametrize(
    "media_type",
    [
        "text/turtle",
        "application/n-triples",
        "application/n-quads",
        "application/trig",
        "application/ld+json",
        "application/rdf+xml",
    ],
)
def test_construct_in_each_rdf_format(client, media_type):
    response = client.get("/sparql", params={"query": KNOWS}, headers={"accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    expected = Graph()
    expected.add((EX.bob, EX.knownBy, EX.alice))
    assert isomorphic(Graph().parse(data=response.content, format=media_type), expected)


def test_describe_answers_rdf(client):
    response = client.get("/sparql", params={"query": f"DESCRIBE <{EX.bob}>"}, headers={"accept": "text/turtle"})
    graph = Graph().parse(data=response.text, format="turtle")
    assert (EX.bob, EX.age, Literal(42)) in graph


def test_ask(client):
    response = client.get("/sparql", params={"query": f"ASK {{ <{EX.alice}> <{EX.knows}> <{EX.bob}> }}"})
    assert bool(ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)) is True


def test_format_parameter_overrides_accept(client):
    response = client.get("/sparql", params={"query": NAMES, "format": "tsv"}, headers={"accept": "text/csv"})
    assert response.headers["content-type"].startswith("text/tab-separated-values")


def test_no_acceptable_format_is_406_naming_the_formats(client):
    response = client.get("/sparql", params={"query": NAMES}, headers={"accept": "text/turtle"})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    assert "application/sparql-results+json" in response.json()["detail"]


def test_protocol_dataset_sets_default_and_named_graphs(client):
    response = client.get("/sparql", params={"query": NAMES, "default-graph-uri": str(GRAPH_B)})
    assert rows(response) == {(f"<{EX.bob}>", '"Bob"@en')}
    graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = client.get("/sparql", params={"query": graphs, "named-graph-uri": str(GRAPH_A)})
    assert rows(response) == {(f"<{GRAPH_A}>",)}


def test_from_clause_of_the_query_is_honoured(client):
    query = f"SELECT ?s ?name FROM <{GRAPH_A}> WHERE {{ ?s <{FOAF.name}> ?name }}"
    assert rows(client.get("/sparql", params={"query": query})) == {(f"<{EX.alice}>", '"Alice"')}


def test_relative_iris_resolve_against_the_endpoint(client, server):
    response = client.get("/sparql", params={"query": "SELECT ?x WHERE { BIND(<other> AS ?x) }"})
    assert rows(response) == {(f"<{server.url}/other>",)}


ERRORS = [
    # (method, query string, headers, body, status, problem type)
    ("PUT", {"query": "ASK {}"}, {}, None, 405, "method-not-allowed"),
    ("POST", {}, {"content-type": "text/plain"}, b"ASK {}", 415, "unsupported-media-type"),
    ("POST", {}, {}, b"query=ASK%20%7B%7D", 415, "unsupported-media-type"),
    (
        "POST",
        {},
        {"content-type": "application/sparql-query; charset=UTF-16"},
        "ASK {}".encode("utf-16"),
        415,
        "unsupported-media-type",
    ),
    ("POST", {}, {"content-type": "application/sparql-query"}, b"ASK { \xff }", 400, "bad-encoding"),
    ("GET", {"query": ["ASK {}", "SELECT * {}"]}, {}, None, 400, "bad-request"),
    ("GET", {"query": "ASK {"}, {}, None, 400, "query-syntax"),
    ("GET", {"update": "CLEAR ALL"}, {}, None, 400, "bad-request"),
    (
        "POST",
        {},
        {"content-type": "application/x-www-form-urlencoded"},
        b"query=ASK%7B%7D&update=CLEAR%20ALL",
        400,
        "bad-request",
    ),
    ("POST", {}, {"content-type": "application/x-www-form-urlencoded"}, b"nothing=here", 400, "bad-request"),
    ("GET", {"query": "ASK {}", "default-graph-uri": "not an iri"}, {}, None, 400, "bad-request"),
    ("GET", {"query": "ASK {}", "format": "yaml"}, {}, None, 406, "not-acceptable"),
]


@pytest.mark.parametrize(("method", "params", "headers", "body", "status", "kind"), ERRORS)
def test_protocol_errors_are_problems(client, method, params, headers, body, status, kind):
    response = client.request(method, "/sparql", params=params, headers=headers, content=body)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/" + kind)
    assert problem["status"] == status and problem["detail"]


def test_a_syntax_error_names_the_place(client):
    problem = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}).json()
    assert "1:" in problem["detail"] and "Traceback" not in problem["detail"]


@pytest.fixture
def listener() -> Iterator[tuple[str, list[bytes]]]:
    """A loopback socket that records every connection made to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    sock.settimeout(0.2)
    connections: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            connections.append(conn.recv(1000))
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/sparql", connections
    stop.set()
    thread.join()
    sock.close()


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "select * where {{ ?a ?b ?c .service <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
    ],
)
def test_service_is_refused_and_connects_nowhere(client, listener, query):
    url, connections = listener
    response = client.get("/sparql", params={"query": query.format(url=url)})
    assert response.status_code == 400
    assert response.json()["type"].endswith("/forbidden-operation")
    time.sleep(0.3)
    assert connections == []


def test_service_in_a_string_or_comment_is_not_a_service_call(client):
    query = 'SELECT ?x WHERE { BIND("SERVICE <http://x/> { }" AS ?x) } # SERVICE <http://y/> {}'
    assert client.get("/sparql", params={"query": query}).status_code == 200


def test_service_description(client, server):
    response = client.get("/sparql", headers={"accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    endpoint = URIRef(f"{server.url}/sparql")
    assert (endpoint, RDF.type, SD.Service) in graph
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Update) in graph
    dataset = graph.value(endpoint, SD.defaultDataset)
    assert graph.value(dataset, VOID.triples) == Literal(len(server.store))
    counts = {
        graph.value(named, SD.name): graph.value(graph.value(named, SD.graph), VOID.triples)
        for named in graph.objects(dataset, SD.namedGraph)
    }
    assert counts == {GRAPH_A: Literal(2), GRAPH_B: Literal(2)}
    void = Graph().parse(data=client.get("/.well-known/void", headers={"accept": "text/turtle"}).text, format="turtle")
    assert void.value(DATASET, VOID.sparqlEndpoint) == endpoint  # the VoID/DCAT description (routes/dumps.py)
    assert void.value(DATASET, VOID.triples) == Literal(len(server.store))


def test_cors_allows_reads_from_any_origin_without_credentials(client):
    response = client.get("/sparql", params={"query": "ASK {}"}, headers={"origin": "https://elsewhere.example"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    preflight = client.options(
        "/sparql",
        headers={
            "origin": "https://elsewhere.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "access-control-allow-credentials" not in preflight.headers


def test_cors_origins_are_configurable():
    with live_server(cors_origins=["https://trusted.example"]) as server, server.client() as http:
        trusted = http.get("/sparql", params={"query": "ASK {}"}, headers={"origin": "https://trusted.example"})
        other = http.get("/sparql", params={"query": "ASK {}"}, headers={"origin": "https://other.example"})
    assert trusted.headers["access-control-allow-origin"] == "https://trusted.example"
    assert "access-control-allow-origin" not in other.headers


# --- updates and authentication ---------------------------------------------------------------------------

INSERT = f'INSERT DATA {{ GRAPH <{EX["graph/c"]}> {{ <{EX.carol}> <{FOAF.name}> "Carol" }} }}'


@pytest.mark.parametrize(
    ("authorization", "challenge"), [(None, 'Bearer realm="stancekb"'), ("Bearer wrong-token", "invalid_token")]
)
def test_update_without_the_right_token_is_401(client, server, authorization, challenge):
    headers = {
        "content-type": "application/sparql-update",
        **({"authorization": authorization} if authorization else {}),
    }
    before = len(server.store)
    response = client.post("/sparql", content=INSERT, headers=headers)
    assert response.status_code == 401
    assert challenge in response.headers["www-authenticate"]
    assert "wrong-token" not in response.text and TOKEN not in response.text
    assert len(server.store) == before


def test_update_with_the_token_is_committed_and_visible(client):
    headers = {"content-type": "application/sparql-update", "authorization": f"Bearer {TOKEN}"}
    assert client.post("/sparql", content=INSERT, headers=headers).status_code == 204
    ask = f'ASK {{ <{EX.carol}> <{FOAF.name}> "Carol" }}'
    assert bool(
        ox.parse_query_results(client.get("/sparql", params={"query": ask}).content, ox.QueryResultsFormat.JSON)
    )
    form = urlencode({"update": f"DROP GRAPH <{EX['graph/c']}>"})
    response = client.post(
        "/sparql", content=form, headers={**headers, "content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 204
    assert not bool(
        ox.parse_query_results(client.get("/sparql", params={"query": ask}).content, ox.QueryResultsFormat.JSON)
    )


def test_update_that_breaks_the_shapes_is_refused_with_the_report(client, server):
    headers = {"content-type": "application/sparql-update", "authorization": f"Bearer {TOKEN}"}
    before = set(server.store.quads())
    update = f"INSERT DATA {{ GRAPH <{EX['graph/c']}> {{ <{EX.s1}> a <https://w3id.org/stancekb/ontology#Stance> }} }}"
    response = client.post("/sparql", content=update, headers=headers)
    assert response.status_code == 422
    problem = response.json()
    assert {violation["focusNode"] for violation in problem["violations"]} == {f"<{EX.s1}>"}
    assert "Stance-holder" in problem["detail"]
    assert set(server.store.quads()) == before


def test_load_in_an_update_is_refused_and_connects_nowhere(client, listener):
    url, connections = listener
    headers = {"content-type": "application/sparql-update", "authorization": f"Bearer {TOKEN}"}
    response = client.post("/sparql", content=f"LOAD <{url}>", headers=headers)
    assert response.status_code == 400
    assert response.json()["type"].endswith("/forbidden-operation")
    time.sleep(0.3)
    assert connections == []


def test_updates_are_off_without_a_configured_token():
    with live_server() as server, server.client() as http:
        response = http.post("/sparql", content=INSERT, headers={"content-type": "application/sparql-update"})
        assert response.status_code == 401
        description = Graph().parse(data=http.get("/sparql", headers={"accept": "text/turtle"}).text, format="turtle")
    assert (URIRef(f"{server.url}/sparql"), SD.supportedLanguage, SD.SPARQL11Update) not in description


# --- limits -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def limited() -> Iterator[LiveServer]:
    store = open_store("oxigraph:")
    store.update("INSERT DATA { %s }" % " ".join(f"<{EX[f'n{i}']}> <{EX.p}> {i} ." for i in range(400)))  # noqa: UP031
    with live_server(store, query_timeout=1.0, max_results=3, max_body_bytes=300) as running:
        yield running


HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_a_query_past_the_timeout_is_stopped(limited):
    pool = limited.app.state.pool  # type: ignore[attr-defined]
    with limited.client() as http:
        http.get("/sparql", params={"query": "ASK {}"})
        before = {worker.pid for worker in pool._workers}
        started = time.monotonic()
        response = http.get("/sparql", params={"query": HEAVY})
        elapsed = time.monotonic() - started
        assert response.status_code == 503
        assert response.json()["type"].endswith("/query-timeout")
        assert elapsed < 5
        stopped = before - {worker.pid for worker in pool._workers}
        assert len(stopped) == 1
        for pid in stopped:
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
        assert http.get("/sparql", params={"query": "ASK {}"}).status_code == 200


@pytest.mark.parametrize(
    ("query", "status"),
    [
        (f"SELECT ?s WHERE {{ ?s <{EX.p}> ?o }} LIMIT 3", 200),
        (f"SELECT ?s WHERE {{ ?s <{EX.p}> ?o }} LIMIT 4", 400),
        (f"CONSTRUCT WHERE {{ ?s <{EX.p}> ?o }} LIMIT 3", 200),
        (f"CONSTRUCT WHERE {{ ?s <{EX.p}> ?o }} LIMIT 4", 400),
    ],
)
@pytest.mark.parametrize("accept", ["application/sparql-results+json, text/turtle", "text/csv, application/n-triples"])
def test_results_past_the_cap_are_refused(limited, query, status, accept):
    with limited.client() as http:
        response = http.get("/sparql", params={"query": query}, headers={"accept": accept})
    assert response.status_code == status
    if status == 400:
        assert response.json()["type"].endswith("/result-too-large")


def test_a_body_past_the_limit_is_413(limited):
    with limited.client() as http:
        small = http.post("/sparql", content="ASK {}", headers={"content-type": "application/sparql-query"})
        large = http.post(
            "/sparql", content="ASK {} " + "#" * 400, headers={"content-type": "application/sparql-query"}
        )
    assert small.status_code == 200
    assert large.status_code == 413
    assert large.json()["type"].endswith("/content-too-large")


# --- the packaged knowledge base --------------------------------------------------------------------------


def test_serving_the_packaged_kb_answers_every_competency_question_as_in_process():
    with live_server(load_kb=True) as server, server.client() as http:
        assert len(server.store) > 1000
        for question in query_files():
            text = question.read_text(encoding="utf-8")
            response = http.post("/sparql", content=text, headers={"content-type": "application/sparql-query"})
            assert response.status_code == 200, question.name
            native = server.store.native.query(text, use_default_graph_as_union=True)  # type: ignore[attr-defined]
            expected = Counter(tuple(str(solution[v]) for v in native.variables) for solution in native)
            solutions = ox.parse_query_results(response.content, ox.QueryResultsFormat.JSON)
            assert Counter(tuple(str(s[v]) for v in solutions.variables) for s in solutions) == expected, question.name


def test_workers_fork_safely_while_other_threads_use_the_store():
    """A worker forked while another thread is inside pyoxigraph would inherit a held lock and hang."""
    store = open_store("oxigraph:")
    store.update("INSERT DATA { %s }" % " ".join(f"<{EX[f'n{i}']}> <{EX.p}> {i} ." for i in range(3000)))  # noqa: UP031
    count = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{EX.p}> ?o }}"
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            store.query(count)

    async def fork_many() -> int:
        pool = WorkerPool(store, size=2, timeout=10)
        try:
            job = QueryRequest(count, {"select": "application/sparql-results+json"})
            return len([await pool.run(job, scratch=True) for _ in range(40)])
        finally:
            await pool.close()

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        assert asyncio.run(fork_many()) == 40
    finally:
        stop.set()
        for reader in readers:
            reader.join()

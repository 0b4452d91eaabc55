"""The remote SPARQL 1.1 backend (``stancekb.remote``) against a real Virtuoso, and the HTTP server over it.

The store contract itself runs against Virtuoso in test_store.py, test_load.py and
test_competency_questions.py (the ``store`` fixture's ``sparql:`` backend); here: locations, errors, large
and staged writes, results in every format, and the REST layer and /sparql over Virtuoso giving the same
answers as over Oxigraph. Where Virtuoso's answers differ in form (numbers in canonical form, blank node
labels, row order), they are compared canonically: by value, blank nodes as "_", rows as multisets.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from server_utils import TOKEN, live_server
from virtuoso import Virtuoso, empty

from stancekb.generate import SyntheticKB, generate
from stancekb.load import graphs_of, load_graphs, load_packaged_kb
from stancekb.namespaces import GRAPH, REFERENCE_GRAPH
from stancekb.rdfio import parse_bytes
from stancekb.remote import STAGING, Endpoints, RemoteStore, query_kind, with_bindings
from stancekb.resources import query_files
from stancekb.store import (
    ForbiddenOperation,
    OxigraphStore,
    QueryRequest,
    QuerySyntaxError,
    ResultTooLarge,
    Store,
    StoreError,
    from_ox,
    open_store,
)

EX = "https://example.org/r/"
P = URIRef(f"{EX}p")
ONE = GRAPH["remote-one"]
SELECT_ALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
MEDIA = {
    "select": "application/sparql-results+json",
    "ask": "application/sparql-results+json",
    "graph": "application/n-triples",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# --- locations and errors -------------------------------------------------------------------------------


def test_location_options_are_read() -> None:
    endpoints = Endpoints.parse(
        "sparql:http://user:secret@127.0.0.1:1/sparql-auth?auth=digest&update=http://127.0.0.1:1/u&timeout=5"
        "&hide-graph=urn:a&hide-graph=urn:b&dialect=virtuoso"
    )
    assert endpoints.query == "http://127.0.0.1:1/sparql-auth"
    assert endpoints.update == "http://127.0.0.1:1/u"
    assert isinstance(endpoints.auth, httpx.DigestAuth)
    assert endpoints.timeout == 5 and endpoints.dialect == "virtuoso"
    assert endpoints.hidden == {"urn:a", "urn:b"}
    assert "secret" not in endpoints.shown and "user:***@" in endpoints.shown
    assert "secret" not in RemoteStore("sparql:http://u:secret@127.0.0.1:1/sparql").location


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("sparql:ftp://127.0.0.1/sparql", "http"),
        ("sparql:", "http"),
        ("sparql:http://127.0.0.1/sparql?updat=x", "unknown option 'updat'"),
        ("sparql:http://u:p@127.0.0.1/sparql?auth=kerberos", "auth='kerberos'"),
        ("sparql:http://127.0.0.1/sparql?timeout=soon", "timeout='soon'"),
        ("sparql:http://127.0.0.1/sparql?dialect=oracle", "dialect='oracle'"),
    ],
)
def test_bad_locations_are_named(location: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        open_store(location)


def test_an_endpoint_that_is_down_is_a_store_error() -> None:
    url = f"http://127.0.0.1:{free_port()}/sparql"
    store = open_store(f"sparql:{url}?dialect=sparql11")
    with pytest.raises(StoreError, match=f"cannot reach the SPARQL endpoint {url}") as raised:
        store.query("ASK {}")
    assert "\n" not in str(raised.value)


def test_a_syntax_error_names_the_endpoint(virtuoso_store: RemoteStore, virtuoso: Virtuoso) -> None:
    with pytest.raises(QuerySyntaxError, match=f"the SPARQL endpoint {virtuoso.sparql} answered 400"):
        virtuoso_store.query("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QuerySyntaxError, match="answered 400"):
        virtuoso_store.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> } }")


def test_an_update_without_permission_is_a_store_error(virtuoso: Virtuoso) -> None:
    """Virtuoso's /sparql-auth wants digest credentials: without them, a clear error, not a traceback."""
    store = RemoteStore(f"sparql:{virtuoso.sparql}-auth")
    with pytest.raises(StoreError, match="answered 401"):
        store.update("INSERT DATA { GRAPH <urn:g> { <urn:a> <urn:b> <urn:c> } }")


def test_digest_credentials_reach_sparql_auth(virtuoso: Virtuoso) -> None:
    url = virtuoso.sparql.replace("http://", "http://dba:dba@") + "-auth?auth=digest"
    assert RemoteStore(f"sparql:{url}").query("ASK {}").boolean is True


# --- query text -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("PREFIX select: <urn:x> ASK { ?s select:p ?o }", "ask"),
        ("# SELECT\nCONSTRUCT { ?s ?p ?o } WHERE { { SELECT ?s ?p ?o { ?s ?p ?o } } }", "graph"),
        ("DESCRIBE <urn:x>", "graph"),
        ('SELECT ("ASK" AS ?x) {}', "select"),
    ],
)
def test_query_kind(query: str, kind: str) -> None:
    assert query_kind(query) == kind


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT ?x WHERE { ?x ?p ?o }", "SELECT ?x WHERE { BIND(<urn:v> AS ?x) ?x ?p ?o }"),
        ("SELECT * { ?x ?p ?o }", "SELECT * { BIND(<urn:v> AS ?x) ?x ?p ?o }"),
        (
            "CONSTRUCT { ?x <urn:where> ?o } WHERE { ?x ?p ?o }",
            "CONSTRUCT { ?x <urn:where> ?o } WHERE { BIND(<urn:v> AS ?x) ?x ?p ?o }",
        ),
        ('SELECT ("{" AS ?l) WHERE { ?x ?p ?o }', 'SELECT ("{" AS ?l) WHERE { BIND(<urn:v> AS ?x) ?x ?p ?o }'),
    ],
)
def test_bindings_go_first_in_the_where_group(query: str, expected: str) -> None:
    assert with_bindings(query, {"x": "<urn:v>"}).split() == expected.split()


def test_a_bad_variable_name_is_refused() -> None:
    with pytest.raises(StoreError, match="not a SPARQL variable name"):
        with_bindings("SELECT * { ?x ?p ?o }", {"x) } #": "<urn:v>"})


# --- writes ---------------------------------------------------------------------------------------------


def chain(length: int) -> Graph:
    """A graph of ``length`` triples, each IRI subject with a blank node of two triples (as intervals are)."""
    graph = Graph()
    for index in range(length // 3):
        node = BNode()
        graph.add((URIRef(f"{EX}s{index}"), P, node))
        graph.add((node, P, Literal(index)))
        graph.add((node, P, BNode()))
    return graph


def blank_signature(graph: Graph) -> Counter[tuple[object, ...]]:
    """Each blank node as the IRI that points to it (the graph's shape), or "_" for the last of a chain."""
    names = {o: s for s, _, o in graph if isinstance(o, BNode) and not isinstance(s, BNode)}
    return Counter(tuple(names.get(term, "_") if isinstance(term, BNode) else term for term in t) for t in graph)


STAGING_PATHS = ["graph-store", "updates"]


def staging_store(virtuoso: Virtuoso, path: str) -> RemoteStore:
    """A store on the Virtuoso that stages large writes by Graph Store POSTs, or by chunks of updates."""
    return RemoteStore(virtuoso.location if path == "graph-store" else f"sparql:{virtuoso.sparql}")


def leftover_staging(store: RemoteStore) -> list[str]:
    rows = store._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    return [str(row["g"].value) for row in rows if str(row["g"].value).startswith(STAGING)]


@pytest.mark.parametrize("path", STAGING_PATHS)
def test_a_large_write_is_staged_and_complete(virtuoso: Virtuoso, virtuoso_store: RemoteStore, path: str) -> None:
    store = staging_store(virtuoso, path)
    graph = chain(1200)  # three chunks of at most 500, each blank node's triples in one
    store.replace_graphs({ONE: graph})
    assert len(store) == 1200
    assert store.named_graphs() == [ONE]
    stored = Graph()
    for s, p, o, _ in store.quads(ONE):
        stored.add((s, p, o))
    assert blank_signature(stored) == blank_signature(graph)  # isomorphism of 800 blank nodes takes too long
    store.add_quads((s, p, o, GRAPH["remote-two"]) for s, p, o in chain(600))
    assert len(store) == 1800
    assert not leftover_staging(store)


@pytest.mark.parametrize("path", STAGING_PATHS)
def test_a_failed_staged_write_leaves_the_store_as_it_was(
    virtuoso: Virtuoso, virtuoso_store: RemoteStore, path: str
) -> None:
    # The staged write fails half-way: Virtuoso refuses an integer it cannot read in an update, and a Graph
    # Store endpoint that is not there answers 404 to the POST of the second graph (the first was staged).
    store = staging_store(virtuoso, path)
    if path == "graph-store":
        store = RemoteStore(f"sparql:{virtuoso.sparql}?graph-store={virtuoso.sparql}-no-such-endpoint")
    first = Graph()
    first.add((URIRef(f"{EX}kept"), P, Literal("kept")))
    store.replace_graphs({ONE: first})
    before = set(store.quads())
    graph = chain(1200)
    graph.add((URIRef(f"{EX}z"), P, Literal("abc", datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer"))))
    with pytest.raises(StoreError, match="answered") as raised:
        store.replace_graphs({GRAPH["remote-two"]: chain(30), ONE: graph})
    assert "\n" not in str(raised.value)
    assert set(store.quads()) == before
    assert not leftover_staging(store)


def test_the_default_graph_is_a_hidden_graph_of_the_server(virtuoso_store: RemoteStore) -> None:
    default = Graph()
    default.add((URIRef(f"{EX}d"), P, Literal("in the default graph")))
    virtuoso_store.replace_graphs({DATASET_DEFAULT_GRAPH_ID: default})
    assert virtuoso_store.named_graphs() == []
    assert [q[3] for q in virtuoso_store.quads()] == [DATASET_DEFAULT_GRAPH_ID]
    assert virtuoso_store.query(f"ASK {{ <{EX}d> ?p ?o }}").boolean is True
    assert virtuoso_store.query(f"ASK {{ GRAPH ?g {{ <{EX}d> ?p ?o }} }}").boolean is False
    virtuoso_store.remove_graph(DATASET_DEFAULT_GRAPH_ID)
    assert len(virtuoso_store) == 0


def test_the_servers_own_graphs_stay_out(virtuoso_store: RemoteStore) -> None:
    """Virtuoso's default graph is the union of every graph, its 2,500 system triples too: the store's is not."""
    assert len(virtuoso_store) == 0
    assert virtuoso_store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]["n"] == Literal(0)
    assert virtuoso_store.query("ASK { GRAPH ?g { ?s ?p ?o } }").boolean is False


# --- triple patterns: the write gate's reads ------------------------------------------------------------

XSD_GYEAR = URIRef("http://www.w3.org/2001/XMLSchema#gYear")


def test_a_blank_node_found_by_one_match_can_be_asked_about_in_the_next(virtuoso_store: RemoteStore) -> None:
    """Virtuoso's blank nodes come back as ``_:b10000`` and are asked about as ``<nodeID://b10000>``."""
    a, q, r = URIRef(f"{EX}a"), URIRef(f"{EX}q"), URIRef(f"{EX}r")
    graph, node = Graph(), BNode()
    graph.add((a, P, node))
    graph.add((node, q, Literal("979", datatype=XSD_GYEAR)))
    graph.add((node, r, BNode()))
    virtuoso_store.replace_graphs({ONE: graph})
    [(_, _, blank, _)] = virtuoso_store.match(a, P, None)
    assert isinstance(blank, BNode)
    assert {p for _, p, _, _ in virtuoso_store.match(blank, None, None)} == {q, r}
    asked = (blank, q, Literal("979", datatype=XSD_GYEAR))
    found = virtuoso_store.match_many([asked, (None, P, blank), (BNode("not-virtuosos"), None, None)])
    assert found[asked] == [(blank, q, Literal("0979", datatype=XSD_GYEAR), ONE)]  # its canonical form, filed as asked
    assert found[None, P, blank] == [(a, P, blank, ONE)]
    assert found[BNode("not-virtuosos"), None, None] == []  # a label Virtuoso never gives: not asked
    assert virtuoso_store.match_incoming([blank, a], at_most=1) == {blank: None, a: []}
    assert virtuoso_store.match_incoming([blank], at_most=2) == {blank: [(a, P, blank, ONE)]}


# --- run_query: formats, caps, SERVICE ------------------------------------------------------------------


@pytest.fixture(scope="module")
def kb_pair(virtuoso: Virtuoso) -> Iterator[tuple[RemoteStore, OxigraphStore]]:
    """The packaged KB in Virtuoso and in Oxigraph."""
    remote = empty(RemoteStore(virtuoso.location))
    local = OxigraphStore()
    for store in (remote, local):
        assert load_packaged_kb(store).committed
    yield remote, local
    remote.close()


def canonical(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> object:
    """A term compared across servers: blank nodes as "_", numbers and booleans by value."""
    if isinstance(term, ox.BlankNode):
        return "_"
    if isinstance(term, ox.Literal):
        value = Literal(term.value, datatype=term.datatype.value).value
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float | Decimal):
            return Decimal(str(value)).normalize()
    return term


def rows_of(body: bytes, media_type: str) -> Counter[tuple[tuple[str, object], ...]]:
    fmt = ox.QueryResultsFormat.from_media_type(media_type)
    assert fmt is not None
    parsed = ox.parse_query_results(body, fmt)
    assert isinstance(parsed, ox.QuerySolutions)
    names = [v.value for v in parsed.variables]
    return Counter(tuple((name, canonical(row[name])) for name in names) for row in parsed)


COUNTS = """PREFIX skb: <https://w3id.org/stancekb/ontology#>
SELECT ?polarity (COUNT(?stance) AS ?n) WHERE { ?stance a skb:Stance ; skb:polarity ?polarity } GROUP BY ?polarity"""


@pytest.mark.parametrize(
    "media_type",
    [
        "application/sparql-results+xml",
        "application/sparql-results+json",
        "text/tab-separated-values",
    ],
)
def test_select_results_agree_in_every_format(kb_pair: tuple[RemoteStore, OxigraphStore], media_type: str) -> None:
    remote, local = kb_pair
    request = QueryRequest(COUNTS, {**MEDIA, "select": media_type})
    answers = [store.run_query(request) for store in (remote, local)]
    assert {answer.media_type for answer in answers} == {media_type}
    assert rows_of(answers[0].body, media_type) == rows_of(answers[1].body, media_type)
    assert sum(rows_of(answers[0].body, media_type).values()) >= 2


def test_ask_is_a_boolean(kb_pair: tuple[RemoteStore, OxigraphStore]) -> None:
    """Virtuoso answers ASK as a one-row SELECT of ``__ASK_RETVAL``; the store answers a boolean."""
    remote, _ = kb_pair
    for query, expected in [("ASK { ?s ?p ?o }", True), (f"ASK {{ <{EX}nothing> ?p ?o }}", False)]:
        answer = remote.run_query(QueryRequest(query, MEDIA))
        assert answer.kind == "ask"
        assert json.loads(answer.body)["boolean"] is expected
        assert remote.query(query).boolean is expected


@pytest.mark.parametrize("media_type", ["application/n-triples", "text/turtle", "application/rdf+xml"])
def test_construct_agrees_in_every_format(kb_pair: tuple[RemoteStore, OxigraphStore], media_type: str) -> None:
    remote, local = kb_pair
    query = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/stancekb/graph/reference> { ?s ?p ?o } }"
    request = QueryRequest(query, {**MEDIA, "graph": media_type})
    graphs = []
    for store in (remote, local):
        answer = store.run_query(request)
        assert answer.kind == "graph" and answer.media_type == media_type
        fmt = ox.RdfFormat.from_media_type(media_type)
        assert fmt is not None
        graphs.append(Counter((q.subject, q.predicate, canonical(q.object)) for q in ox.parse(answer.body, fmt)))
    assert graphs[0] == graphs[1] and sum(graphs[0].values()) > 100


def test_the_result_cap_and_service(kb_pair: tuple[RemoteStore, OxigraphStore]) -> None:
    remote, _ = kb_pair
    with pytest.raises(ResultTooLarge):
        remote.run_query(QueryRequest(SELECT_ALL, MEDIA, max_results=10))
    with pytest.raises(ResultTooLarge):
        remote.run_query(QueryRequest("CONSTRUCT WHERE { ?s ?p ?o }", MEDIA, max_results=10))
    assert remote.run_query(QueryRequest(f"{SELECT_ALL} LIMIT 10", MEDIA, max_results=10)).kind == "select"
    with pytest.raises(ForbiddenOperation):
        remote.run_query(QueryRequest("SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", MEDIA))


def test_dataset_parameters_restrict_the_query(kb_pair: tuple[RemoteStore, OxigraphStore]) -> None:
    remote, local = kb_pair
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    reference = [GRAPH["reference"]]
    counts = [store.query(query, default_graphs=reference).rows[0]["n"].toPython() for store in (remote, local)]
    assert counts[0] == counts[1] < len(local)
    named = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert [row["g"] for row in remote.query(named, named_graphs=reference).rows] == reference


# --- the HTTP server over Virtuoso ----------------------------------------------------------------------


def rest_view(client: httpx.Client, path: str) -> object:
    response = client.get(path, params={"limit": 100} if path.count("/") == 1 else {})
    assert response.status_code == 200, response.text
    # Links name the server that answered (each backend's server has a port of its own).
    return canonical_json(json.loads(response.text.replace(str(client.base_url).rstrip("/"), "http://server")))


def canonical_json(value: object) -> object:
    """JSON with lists as sorted multisets and numbers by value (Virtuoso orders rows its own way)."""
    if isinstance(value, dict):
        return {key: canonical_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return sorted(
            (canonical_json(item) for item in value), key=lambda item: json.dumps(item, sort_keys=True, default=str)
        )
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return Decimal(str(value)).normalize()
    return value


REST_PATHS = ["/actors", "/stances", "/meetings", "/dependencies", "/actors/mark-rutte"]


def test_rest_and_sparql_agree_with_oxigraph(kb_pair: tuple[RemoteStore, OxigraphStore]) -> None:
    remote, local = kb_pair
    answers: list[dict[str, object]] = []
    for store in (remote, local):
        with live_server(store) as server, server.client() as client:
            answer: dict[str, object] = {path: rest_view(client, path) for path in REST_PATHS}
            response = client.post("/sparql", data={"query": COUNTS}, headers={"Accept": "text/csv"})
            assert response.status_code == 200, response.text
            answer["sparql"] = sorted(response.text.splitlines())
            bad = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
            answer["syntax error"] = bad.status_code
            answers.append(answer)
    for path in answers[1]:
        assert answers[0][path] == answers[1][path], path
    assert answers[0]["syntax error"] == 400


def test_gated_writes_over_virtuoso(virtuoso: Virtuoso, kb_pair: tuple[RemoteStore, OxigraphStore]) -> None:
    """The trial runs on a worker's snapshot: an invalid write never reaches Virtuoso, a valid one does."""
    remote, _ = kb_pair
    before = len(remote)
    rutte = "https://w3id.org/stancekb/id/mark-rutte"
    extra = GRAPH["extra"]
    try:
        with live_server(remote, update_token=TOKEN) as server, server.client() as client:
            auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
            invalid = f"INSERT DATA {{ GRAPH <{extra}> {{ <{rutte}> a <https://w3id.org/stancekb/ontology#Stance> }} }}"
            refused = client.post("/sparql", content=invalid, headers=auth)
            assert refused.status_code == 422, refused.text
            assert len(RemoteStore(virtuoso.location)) == before
            note = f'INSERT DATA {{ GRAPH <{extra}> {{ <{rutte}> <{EX}note> "checked" }} }}'
            accepted = client.post("/sparql", content=note, headers=auth)
            assert accepted.status_code in {200, 204}, accepted.text
            put = client.put(
                "/graph-store",
                params={"graph": str(extra)},
                content=f'<{rutte}> <{EX}note> "replaced" .',
                headers={**auth, "Content-Type": "text/turtle"},
            )
            assert put.status_code in {200, 201, 204}, put.text
        fresh = RemoteStore(virtuoso.location)
        assert len(fresh) == before + 1
        assert [o for _, _, o, _ in fresh.quads(extra)] == [Literal("replaced")]
    finally:
        remote.remove_graph(extra)


def test_an_endpoint_that_is_down_answers_503() -> None:
    """A backend that cannot be reached: the server's 503 problem document naming the endpoint, no traceback."""
    url = f"http://127.0.0.1:{free_port()}/sparql"
    with live_server(RemoteStore(f"sparql:{url}?dialect=sparql11")) as server, server.client() as client:
        for response in (client.get("/actors"), client.get("/sparql", params={"query": "ASK {}"})):
            assert response.status_code == 503, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["detail"].startswith(f"cannot reach the SPARQL endpoint {url}")
            assert "Traceback" not in response.text


def test_a_store_is_usable_from_a_forked_worker_after_use_in_the_parent(virtuoso_store: Store) -> None:
    """The parent's httpx client is not shared with workers (they close inherited sockets)."""
    graph = Graph()
    graph.add((URIRef(f"{EX}w"), P, Literal("w")))
    virtuoso_store.replace_graphs({ONE: graph})
    assert len(virtuoso_store) == 1  # the parent's client is open
    with live_server(virtuoso_store) as server, server.client() as client:
        for _ in range(3):
            response = client.get("/sparql", params={"query": f"ASK {{ <{EX}w> ?p ?o }}"})
            assert response.json()["boolean"] is True


# --- a second kind of server: StanceKB's own endpoint, as a plain SPARQL 1.1 server ----------------------


def test_stancekb_served_over_its_own_endpoint_is_a_generic_sparql11_store(
    kb_pair: tuple[RemoteStore, OxigraphStore],
) -> None:
    """The ``sparql11`` dialect against a second server (this project's, over Oxigraph): reads, bearer-token
    writes through its gate, and the competency questions give Oxigraph's answers exactly (no canonicalising)."""
    _, local = kb_pair
    served = OxigraphStore()
    served.add_quads(local.quads())
    with live_server(served, update_token=TOKEN) as server:
        netloc = server.url.removeprefix("http://")
        remote = RemoteStore(
            f"sparql:http://token:{TOKEN}@{netloc}/sparql?auth=bearer&graph-store={server.url}/graph-store"
        )
        assert remote.dialect.name == "sparql11"
        assert remote.named_graphs() == local.named_graphs()
        assert len(remote) == len(local)
        assert set(remote.quads(GRAPH["reference"])) == set(local.quads(GRAPH["reference"]))
        for file in query_files():
            text = file.read_text(encoding="utf-8")
            assert Counter(map(frozenset_row, remote.query(text).rows)) == Counter(
                map(frozenset_row, local.query(text).rows)
            ), file.name
        rutte = URIRef("https://w3id.org/stancekb/id/mark-rutte")
        note = Graph()
        note.add((rutte, URIRef(f"{EX}note"), Literal("checked")))
        remote.replace_graphs({GRAPH["extra"]: note})
        assert GRAPH["extra"] in served.named_graphs()
        assert remote.query(f'ASK {{ <{rutte}> <{EX}note> "checked" }}').boolean is True
        remote.remove_graph(GRAPH["extra"])
        assert GRAPH["extra"] not in served.named_graphs()
        with pytest.raises(StoreError, match="cannot be asked about a blank node"):
            remote.query("SELECT * WHERE { ?s ?p ?o }", bindings={"s": BNode("b0")})
        with pytest.raises(NotImplementedError):  # so the write gate validates the whole store
            remote.match(BNode("b0"), None, None)
        assert len(list(remote.match(rutte, None, None))) == len(list(local.match(rutte, None, None)))
        wrong = RemoteStore(f"sparql:http://token:wrong@{netloc}/sparql?auth=bearer")
        with pytest.raises(StoreError, match="answered 401"):
            wrong.update(f"DROP GRAPH <{GRAPH['reference']}>")
        assert len(remote) == len(local)


def frozenset_row(row: dict[str, object]) -> frozenset[tuple[str, object]]:
    return frozenset(row.items())


def test_without_virtuoso_the_fixture_fails_on_ci() -> None:
    """The session's Virtuoso fixture, run where ``virtuoso-t`` is not on PATH, with CI set: an error, no skip."""
    env = {**os.environ, "PATH": str(Path(sys.executable).parent), "CI": "true"}
    test = f"{Path(__file__).name}::test_digest_credentials_reach_sparql_auth"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
        cwd=Path(__file__).parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "1 error" in run.stdout and "skipped" not in run.stdout, run.stdout[-2000:]
    assert "virtuoso-t or isql-vt is not installed" in run.stdout


# --- the write gate over a large remote KB ----------------------------------------------------------------


def test_one_new_source_onto_a_large_remote_kb_reads_a_small_part_of_it(
    virtuoso: Virtuoso, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ~1,000-triple source onto a 50k-triple KB in Virtuoso: a few requests, a small fraction of the bytes
    that whole-KB validation downloads, committed; a broken one is refused. (Empties the Virtuoso: last here.)"""
    store = empty(RemoteStore(virtuoso.location))
    store.add_quads(
        (from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), from_ox(q.graph_name))
        for q in generate(50_000, seed=1)
    )  # type: ignore[misc]
    try:
        sent: list[int] = []
        send = store._send

        def counted(*args: Any, **kwargs: Any) -> httpx.Response:
            response = send(*args, **kwargs)
            sent.append(len(response.content))
            return response

        monkeypatch.setattr(store, "_send", counted)
        whole = list(store.quads())  # what the full fallback downloads first
        whole_bytes, sent[:] = sum(sent), []
        assert len(whole) > 50_000
        source = SyntheticKB(50_000, seed=1).source(len(store.named_graphs()) - 1).quads
        data = ox.serialize(source, format=ox.RdfFormat.N_QUADS) or b""
        graphs = graphs_of(parse_bytes(data, ox.RdfFormat.N_QUADS), REFERENCE_GRAPH)
        report = load_graphs(store, broken(graphs))
        assert not report.committed and report.validation is not None
        assert {str(v.source_shape).rsplit("#", 1)[-1] for v in report.validation.violations} == {"Stance-holder"}
        assert len(sent) <= 30 and sum(sent) < whole_bytes / 10, (len(sent), sum(sent), whole_bytes)
        sent[:] = []
        assert load_graphs(store, graphs).committed
        assert len(sent) <= 30 and sum(sent) < whole_bytes / 10, (len(sent), sum(sent), whole_bytes)
        assert len(store) == len(whole) + len(source)
    finally:
        empty(store).close()


def broken(graphs: dict[URIRef, Graph]) -> dict[URIRef, Graph]:
    """The graphs with one stance's holder left out (``skbsh:Stance-holder`` must refuse them)."""
    copies = {name: Graph() + graph for name, graph in graphs.items()}
    for graph in copies.values():
        for stance, holder in graph.subject_objects(URIRef("https://w3id.org/stancekb/ontology#holder")):
            graph.remove((stance, URIRef("https://w3id.org/stancekb/ontology#holder"), holder))
            return copies
    raise AssertionError("the synthetic source has no stance")

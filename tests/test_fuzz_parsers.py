"""The parsers fuzzed with generated input (hypothesis), and failed writes checked to lose nothing on disk.

- ``stancekb.rdfio.parse_bytes`` in every format, on random bytes, on valid documents with bytes flipped,
  inserted or cut, and on token soup: it returns a Dataset or raises ``RdfInputError`` with a one-line
  message, nothing else.
- SPARQL query and update text, from a soup of SPARQL tokens and from random text, to the Oxigraph store
  (only ``StoreError``s, and a failed update changes nothing) and to ``/sparql`` on a live server (only 4xx
  problem documents, never a 5xx or a traceback).
- Every way a write can fail (unparseable RDF, a SHACL violation, a syntax error, a refused LOAD) leaves an
  on-disk store exactly as it was once reopened.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from server_utils import TOKEN, LiveServer, live_server

from stancekb.load import load_files
from stancekb.rdfio import EXTENSIONS, RdfInputError, parse_bytes
from stancekb.store import OxigraphStore, StoreError, open_store
from stancekb.update import SparqlUpdate, write

FUZZ = settings(max_examples=100, deadline=None, derandomize=True, database=None)
FEW = settings(FUZZ, max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])

FORMATS = sorted(set(EXTENSIONS.values()), key=lambda fmt: fmt.name)
SAMPLES = {
    ox.RdfFormat.TURTLE: '@prefix ex: <https://e.org/> . ex:s ex:p "o"@en, 1, [ ex:q (1 2) ] .',
    ox.RdfFormat.TRIG: '@prefix ex: <https://e.org/> . ex:g { ex:s ex:p "o"^^ex:t } .',
    ox.RdfFormat.N_TRIPLES: '<https://e.org/s> <https://e.org/p> "o\\u00e9" .\n_:b <https://e.org/p> _:c .\n',
    ox.RdfFormat.N_QUADS: '<https://e.org/s> <https://e.org/p> "o" <https://e.org/g> .\n',
    ox.RdfFormat.RDF_XML: (
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:ex="https://e.org/"><rdf:Description rdf:about="https://e.org/s"><ex:p xml:lang="en">o</ex:p>'
        "</rdf:Description></rdf:RDF>"
    ),
    ox.RdfFormat.JSON_LD: '{"@context": {"ex": "https://e.org/"}, "@id": "ex:s", "ex:p": [{"@value": "o"}, 1]}',
}
RDF_TOKENS = [
    "<https://e.org/s>", "<s>", "<", ">", "_:b", "[", "]", "(", ")", "{", "}", ".", ";", ",", '"', "'''", '"o"',
    "@en", "^^", "@prefix", "PREFIX", "ex:", "ex:p", "a", "1", "-1.5e3", "true", "\\u0000", "\\", "#", "\n",
    "<?xml", "<!DOCTYPE", "<!ENTITY", "&x;", "rdf:about", "@context", "@id", "@graph", ":", "<<", ">>", "GRAPH",
]  # fmt: skip
SPARQL_TOKENS = [
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "(", ")", "?s", "?p", "?o", "$x", "*", ".", ";",
    ",", "<https://e.org/s>", "<s>", '"text"', "'x'@en", "1", "2.5", "true", "FILTER", "OPTIONAL", "UNION",
    "MINUS", "GRAPH", "SERVICE", "BIND", "AS", "VALUES", "UNDEF", "LIMIT", "OFFSET", "ORDER", "BY", "GROUP",
    "COUNT", "SUM", "REGEX", "STR", "IRI", "BNODE", "UUID", "NOW", "FROM", "NAMED", "PREFIX", "BASE", "ex:",
    "ex:p", "a", "/", "|", "^", "+", "?", "!", "=", "<", ">", "&&", "||", "INSERT", "DELETE", "DATA", "LOAD",
    "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "ALL", "DEFAULT", "SILENT", "INTO", "WITH", "USING",
    "\\u0053", "#", "\n", "<<", ">>", "_:b", "[", "]",
]  # fmt: skip


def soup(tokens: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(tokens), max_size=30).map(" ".join)


def mutated(data: bytes) -> st.SearchStrategy[bytes]:
    """The bytes with a slice replaced by random bytes (a flip, an insertion or a cut)."""
    return st.tuples(st.integers(0, len(data)), st.integers(0, 8), st.binary(max_size=8)).map(
        lambda edit: data[: edit[0]] + edit[2] + data[edit[0] + edit[1] :]
    )


def parses_or_says_why(data: bytes, fmt: ox.RdfFormat) -> None:
    try:
        parse_bytes(data, fmt, base_iri="https://e.org/base/")
    except RdfInputError as error:
        assert "\n" not in str(error) and error.problem


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda fmt: fmt.name)
@FUZZ
@given(data=st.one_of(st.binary(max_size=200), soup(RDF_TOKENS).map(str.encode)))
def test_parsing_random_input(fmt: ox.RdfFormat, data: bytes) -> None:
    parses_or_says_why(data, fmt)


@pytest.mark.parametrize("fmt", list(SAMPLES), ids=lambda fmt: fmt.name)
@FUZZ
@given(data=st.data())
def test_parsing_damaged_documents(fmt: ox.RdfFormat, data: st.DataObject) -> None:
    parses_or_says_why(data.draw(mutated(SAMPLES[fmt].encode())), fmt)


SPARQL_TEXT = st.one_of(
    soup(SPARQL_TOKENS),
    soup(SPARQL_TOKENS).map("SELECT * WHERE {{ {} }}".format),  # past the first keyword, into the patterns
    soup(SPARQL_TOKENS).map("INSERT DATA {{ GRAPH <https://e.org/g> {{ {} }} }}".format),
    st.text(max_size=80),
)


@pytest.fixture(scope="module")
def small_store() -> OxigraphStore:
    store = OxigraphStore()
    store.update('INSERT DATA { GRAPH <https://e.org/g> { <https://e.org/s> <https://e.org/p> "o", 1 } }')
    return store


@FEW
@given(text=SPARQL_TEXT)
def test_sparql_text_to_the_store(small_store: OxigraphStore, text: str) -> None:
    before = set(small_store.quads())
    with contextlib.suppress(StoreError):
        small_store.query(text)
    try:
        small_store.update(text)
    except StoreError:
        assert set(small_store.quads()) == before, "a failed update changed the store"


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    store = open_store("oxigraph:")
    store.update('INSERT DATA { GRAPH <https://e.org/g> { <https://e.org/s> <https://e.org/p> "o" } }')
    with live_server(store, update_token=TOKEN, query_timeout=5.0) as running:
        yield running


@pytest.fixture(scope="module")
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client() as client:
        yield client


def answered(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    assert "Traceback" not in response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json"


@FEW
@given(text=SPARQL_TEXT)
def test_sparql_text_to_the_endpoint(http: httpx.Client, text: str) -> None:
    answered(http.get("/sparql", params={"query": text}))
    auth = {"authorization": f"Bearer {TOKEN}"}
    answered(http.post("/sparql", content=text.encode(), headers={**auth, "content-type": "application/sparql-update"}))
    answered(http.post("/sparql", data={"query": text}))


@FEW
@given(body=st.one_of(st.binary(max_size=200), soup(RDF_TOKENS).map(str.encode)), fmt=st.sampled_from(FORMATS))
def test_rdf_bodies_to_the_graph_store(http: httpx.Client, body: bytes, fmt: ox.RdfFormat) -> None:
    headers = {"authorization": f"Bearer {TOKEN}", "content-type": fmt.media_type}
    answered(http.put("/graph-store", params={"graph": "https://e.org/fuzz"}, content=body, headers=headers))


# --- failed writes lose nothing, on disk ------------------------------------------------------------------

INVALID_STANCE = (
    "INSERT DATA { GRAPH <https://e.org/g> { <https://e.org/s1> a <https://w3id.org/stancekb/ontology#Stance> } }"
)


def test_failed_writes_leave_the_disk_store_as_it_was(tmp_path: Path) -> None:
    location = f"oxigraph:{tmp_path / 'store'}"
    store = open_store(location)
    store.update('INSERT DATA { GRAPH <https://e.org/g> { <https://e.org/s> <https://e.org/p> "kept" } }')
    before = set(store.quads())
    broken = tmp_path / "broken.ttl"
    broken.write_text("<https://e.org/s> <https://e.org/p> .", encoding="utf-8")
    violation = tmp_path / "violation.ttl"
    violation.write_text("<https://e.org/s2> a <https://w3id.org/stancekb/ontology#Stance> .", encoding="utf-8")

    with pytest.raises(RdfInputError):
        load_files(store, [violation, broken])  # the first file is fine to parse: nothing of it may be written
    assert not load_files(store, [violation]).committed
    assert not write(store, SparqlUpdate(INVALID_STANCE)).committed
    with pytest.raises(StoreError):
        store.update("INSERT DATA { GRAPH <https://e.org/g> { <https://e.org/x> <https://e.org/p> } }")
    with pytest.raises(StoreError):
        write(store, SparqlUpdate("DROP ALL ; LOAD <http://127.0.0.1:9/data.ttl>"))
    assert set(store.quads()) == before

    store.close()
    del store
    gc.collect()  # an on-disk Oxigraph store keeps its lock until collected
    reopened = open_store(location)
    assert set(reopened.quads()) == before


# --- inputs built to exhaust memory or the stack ----------------------------------------------------------

RDF_XML = (
    '<?xml version="1.0"?><!DOCTYPE rdf:RDF [{entities}]><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
    ' xmlns:ex="https://e.org/"><rdf:Description rdf:about="&ex;s"><ex:p>{text}</ex:p></rdf:Description></rdf:RDF>'
)


def test_entity_bombs_are_refused_and_plain_entities_read() -> None:
    laughs = '<!ENTITY ex "https://e.org/"><!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    )
    with pytest.raises(RdfInputError, match="nested entities"):
        parse_bytes(RDF_XML.format(entities=laughs, text="&l9;").encode(), ox.RdfFormat.RDF_XML)
    flat = '<!ENTITY ex "https://e.org/"><!ENTITY big "' + "x" * 100_000 + '">'
    with pytest.raises(RdfInputError, match="expand"):
        parse_bytes(RDF_XML.format(entities=flat, text="&big;" * 200).encode(), ox.RdfFormat.RDF_XML)
    plain = RDF_XML.format(entities='<!ENTITY ex "https://e.org/">', text="&ex;o").encode()
    [(subject, _, value, _)] = parse_bytes(plain, ox.RdfFormat.RDF_XML).quads((None, None, None, None))
    assert (str(subject), str(value)) == ("https://e.org/s", "https://e.org/o")


DEEP = [
    "SELECT * WHERE " + "{ " * 5000 + "}" * 5000,
    "ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "DELETE WHERE " + "{ " * 5000 + "}" * 5000,
    "SELECT * WHERE { ?s ?p " + "[ ?p " * 5000 + "1" + " ]" * 5000 + " }",
]
"""Queries and updates that crashed the process (Oxigraph's parser overflows its stack) before the check."""


@pytest.mark.parametrize("backend", ["memory:", "oxigraph:"])
def test_deeply_nested_sparql_is_refused_by_the_store(backend: str) -> None:
    store = open_store(backend)
    for text in DEEP:
        with pytest.raises(StoreError, match="nest"):
            store.query(text) if not text.startswith("DELETE") else store.update(text)
    assert store.query("SELECT * WHERE { " + "{ " * 20 + "}" * 20 + " }").kind == "select"


def test_deeply_nested_sparql_is_a_400_and_the_server_lives_on(http: httpx.Client) -> None:
    auth = {"authorization": f"Bearer {TOKEN}", "content-type": "application/sparql-update"}
    for text in DEEP:
        response = (
            http.post("/sparql", content=text, headers=auth)
            if text.startswith("DELETE")
            else http.get("/sparql", params={"query": text})
        )
        assert response.status_code == 400 and "nest" in response.json()["detail"], response.text
    assert http.get("/sparql", params={"query": "ASK {}"}).status_code == 200


DEEP_JSON_LD = ('{"@id": "https://e.org/s", "https://e.org/p": ' * 5000 + '"o"' + "}" * 5000).encode()
"""JSON-LD whose objects nest 5,000 deep: Oxigraph's JSON-LD parser overflowed its stack (a segfault) on it."""


def test_deeply_nested_json_ld_is_refused_before_oxigraph_parses_it() -> None:
    with pytest.raises(RdfInputError, match="nests more than 200 deep"):
        parse_bytes(DEEP_JSON_LD, ox.RdfFormat.JSON_LD)
    shallow = (
        "".join(f'{{"@id": "https://e.org/s{i}", "https://e.org/p": ' for i in range(50)) + '"o"' + "}" * 50
    ).encode()
    assert len(list(parse_bytes(shallow, ox.RdfFormat.JSON_LD).quads((None, None, None, None)))) == 50


def test_deeply_nested_json_ld_is_a_400_and_the_server_lives_on(http: httpx.Client) -> None:
    response = http.put(
        "/graph-store",
        params={"graph": "https://w3id.org/stancekb/graph/deep"},
        content=DEEP_JSON_LD,
        headers={"authorization": f"Bearer {TOKEN}", "content-type": "application/ld+json"},
    )
    assert response.status_code == 400 and "nests more than 200 deep" in response.text, response.text
    assert http.get("/sparql", params={"query": "ASK {}"}).status_code == 200

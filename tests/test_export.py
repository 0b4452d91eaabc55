"""Exports: every format parses back to what the store holds (rdflib, Oxigraph, Raptor's rapper, pyld), and
the same content gives the same bytes whatever the process or the store backend."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from conftest import BACKENDS
from pyld import jsonld
from rdflib import XSD, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from stancekb.describe import describe
from stancekb.export import (
    CONTEXT_PATH,
    FORMATS,
    VOID_GRAPH,
    ExportError,
    canonical_nquads,
    dump_path,
    dump_target,
    export,
    load_context,
)
from stancekb.load import load_packaged_kb
from stancekb.namespaces import GRAPH, PREFIXES, REFERENCE_GRAPH
from stancekb.store import Store, open_store, to_ox

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://stancekb.example.org"
QUAD_FORMATS = [name for name, fmt in FORMATS.items() if fmt.holds_graphs]
RDFLIB_NAMES = {
    "turtle": "turtle",
    "trig": "trig",
    "nquads": "nquads",
    "ntriples": "nt",
    "jsonld": "json-ld",
    "rdfxml": "xml",
}
OX_FORMATS = {name: ox.RdfFormat.from_media_type(fmt.media_type) for name, fmt in FORMATS.items()}
RAPPER_FORMATS = ["turtle", "trig", "nquads", "ntriples", "rdfxml"]  # rapper's parser names are ours


@pytest.fixture(scope="module", params=BACKENDS)
def kb(request: pytest.FixtureRequest) -> Iterator[Store]:
    """A store holding the packaged knowledge base, once per backend."""
    store = open_store(request.param)
    load_packaged_kb(store)
    yield store
    store.close()


@pytest.fixture(scope="module")
def dumps(kb: Store) -> dict[str, bytes]:
    """The whole-dataset dump in every format."""
    return {name: export(kb, name, base_url=BASE) for name in FORMATS}


@cache
def description(store: Store) -> Graph:
    """The store's description, made once per store (a second of SPARQL on the memory backend)."""
    return describe(store, BASE)


def plain(term: Node) -> Node:
    """rdflib's form of a simple literal (the Oxigraph backend gives it the datatype xsd:string)."""
    return Literal(str(term)) if isinstance(term, Literal) and term.datatype == XSD.string else term


def expected_quads(store: Store, format_name: str, graph_iri: URIRef | None = None) -> list[tuple[Node, ...]]:
    """What a dump should hold: the store's quads (or one graph's) and, for the whole dataset, the description;
    all in the default graph for a format without named graphs."""
    quads: list[tuple[Node, ...]] = [tuple(map(plain, quad)) for quad in store.quads(graph_iri)]
    if graph_iri is None:
        quads += [(s, p, o, VOID_GRAPH) for s, p, o in description(store)]
    if not FORMATS[format_name].holds_graphs:
        quads = [(s, p, o, DATASET_DEFAULT_GRAPH_ID) for s, p, o, _ in quads]
    return quads


def as_ox(quads: list[tuple[Node, ...]]) -> list[ox.Quad]:
    return [
        ox.Quad(to_ox(s), to_ox(p), to_ox(o), ox.DefaultGraph() if g == DATASET_DEFAULT_GRAPH_ID else to_ox(g))  # type: ignore[arg-type]
        for s, p, o, g in quads
    ]


def from_rdflib(dataset: Dataset) -> list[ox.Quad]:
    return as_ox([(s, p, o, g or DATASET_DEFAULT_GRAPH_ID) for s, p, o, g in dataset.quads((None, None, None, None))])


def graphs(dataset: Dataset) -> dict[Node, Graph]:
    """The non-empty graphs of a dataset by name, the default graph included."""
    return {graph.identifier: graph for graph in dataset.graphs() if len(graph)}


# ---- round trip ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FORMATS)
def test_rdflib_parses_the_dump_back_to_what_the_store_holds(kb: Store, dumps: dict[str, bytes], name: str) -> None:
    """Compared as RDFC-1.0 canonical N-Quads: rdflib.compare.isomorphic takes 20 s on the source graph."""
    parsed = Dataset()
    parsed.parse(data=dumps[name], format=RDFLIB_NAMES[name])
    assert canonical_nquads(from_rdflib(parsed)) == canonical_nquads(as_ox(expected_quads(kb, name)))


@pytest.mark.parametrize("name", FORMATS)
def test_oxigraph_parses_the_dump_back_to_the_same_canonical_quads(
    kb: Store, dumps: dict[str, bytes], name: str
) -> None:
    parsed = ox.parse(dumps[name], OX_FORMATS[name])
    assert canonical_nquads(parsed) == canonical_nquads(as_ox(expected_quads(kb, name)))


@pytest.mark.parametrize("name", ["nquads", "ntriples"])
def test_line_formats_are_canonical_nquads(kb: Store, dumps: dict[str, bytes], name: str) -> None:
    """Sorted, one statement a line, blank nodes labelled by RDFC-1.0: diff-friendly."""
    assert dumps[name] == canonical_nquads(as_ox(expected_quads(kb, name)))
    lines = dumps[name].splitlines()
    assert lines == sorted(lines)


@pytest.mark.parametrize("name", QUAD_FORMATS)
def test_one_graph_is_exported_alone_with_its_name(kb: Store, name: str) -> None:
    parsed = Dataset()
    parsed.parse(data=export(kb, name, REFERENCE_GRAPH, base_url=BASE), format=RDFLIB_NAMES[name])
    assert list(graphs(parsed)) == [REFERENCE_GRAPH]
    expected = Graph()
    for s, p, o, _ in expected_quads(kb, name, REFERENCE_GRAPH):
        expected.add((s, p, o))
    assert isomorphic(parsed.graph(REFERENCE_GRAPH), expected)


def test_the_description_graph_alone_is_the_description(kb: Store) -> None:
    """What /.well-known/void serves."""
    parsed = ox.parse(export(kb, "turtle", VOID_GRAPH, base_url=BASE), ox.RdfFormat.TURTLE)
    assert canonical_nquads(parsed) == canonical_nquads(
        as_ox([(*triple, DATASET_DEFAULT_GRAPH_ID) for triple in description(kb)])
    )


def test_unknown_format_or_graph_is_refused(kb: Store) -> None:
    with pytest.raises(ExportError, match="unknown export format 'n3': use one of turtle, trig"):
        export(kb, "n3", base_url=BASE)
    with pytest.raises(ExportError, match=r"holds no graph <https://w3id\.org/stancekb/graph/nothing>"):
        export(kb, "trig", GRAPH["nothing"], base_url=BASE)


LITERALS = r'''
@prefix ex: <https://example.org/sample/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:g { ex:s ex:text "say \"no\"\\ then\nleave\ttab" , """three
    lines""" , "Zürich — “quoted” 😀"@de-CH , "x"^^ex:custom , "2014"^^xsd:gYear , "ab01"^^xsd:hexBinary ;
  ex:number "true"^^xsd:boolean , "-12"^^xsd:integer , "123456789012345"^^xsd:integer ,
    "9007199254740993"^^xsd:integer ,
    "2"^^xsd:decimal , "2.50"^^xsd:decimal , "1.5"^^xsd:double , "1e3"^^xsd:double , "7"^^xsd:nonNegativeInteger ;
  ex:next [ ex:label "blank" ; ex:next [ ex:label "nested" ] ] . }
'''


@pytest.mark.parametrize("name", FORMATS)
def test_literals_survive_every_format(store: Store, name: str) -> None:
    """Quotes, escapes, line breaks, non-ASCII, language tags and typed values keep their exact lexical form.

    rdflib's Turtle shorthand would write "2"^^xsd:decimal as 2.0 and "1.5"^^xsd:double as 1.5e+00, and its
    JSON-LD writer would make every double a JSON number: each reads back as another literal.
    """
    graph = URIRef("https://example.org/sample/g")
    store.add_quads(Dataset().parse(data=LITERALS, format="trig").quads())  # type: ignore[arg-type]
    parsed = ox.parse(export(store, name, graph, base_url=BASE), OX_FORMATS[name])
    assert canonical_nquads(parsed) == canonical_nquads(as_ox(expected_quads(store, name, graph)))


# ---- determinism ---------------------------------------------------------------------------------------

DIGESTS = """
import hashlib, json, sys
from stancekb.export import FORMATS, export
from stancekb.load import load_packaged_kb
from stancekb.store import open_store
store = open_store("oxigraph:")
load_packaged_kb(store)
if sys.argv[1] != "oxigraph:":
    copy = open_store(sys.argv[1])
    copy.add_quads(store.quads())
    store = copy
print(json.dumps({name: hashlib.sha256(export(store, name, base_url=sys.argv[2])).hexdigest() for name in FORMATS}))
"""


def digests(location: str, seed: int) -> dict[str, str]:
    completed = subprocess.run(
        [sys.executable, "-c", DIGESTS, location, BASE],
        env={**os.environ, "PYTHONHASHSEED": str(seed)},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(completed.stdout)


def test_dumps_are_byte_identical_across_processes_and_backends() -> None:
    """Two processes with different hash seeds, and the two backends holding the same quads.

    The memory store is filled from the Oxigraph store's quads: Oxigraph stores literals of derived integer
    types as xsd:integer (and numbers in canonical form), so the packaged KB loaded into each backend apart
    does not hold the same terms, and no faithful dump could be the same for both.
    """
    first = digests("oxigraph:", 1)
    assert set(first) == set(FORMATS)
    assert digests("oxigraph:", 2) == first
    assert digests("memory:", 3) == first


# ---- an independent parser: Raptor's rapper ------------------------------------------------------------


@pytest.fixture(scope="module")
def rapper() -> str:
    path = shutil.which("rapper")
    if path is None:
        pytest.fail("rapper is not installed: install the Debian package raptor2-utils (scripts/bootstrap --test)")
    return path


@pytest.mark.parametrize("name", RAPPER_FORMATS)
def test_rapper_counts_the_same_triples(
    kb: Store, dumps: dict[str, bytes], name: str, rapper: str, tmp_path: Path
) -> None:
    path = tmp_path / f"dump.{FORMATS[name].extension}"
    path.write_bytes(dumps[name])
    counted = subprocess.run([rapper, "-i", name, "-c", str(path)], capture_output=True, text=True, check=False)
    assert counted.returncode == 0, counted.stderr
    match = re.search(r"Parsing returned (\d+) triples", counted.stderr)
    assert match, counted.stderr
    assert int(match.group(1)) == len(set(expected_quads(kb, name)))


@pytest.mark.parametrize("name", RAPPER_FORMATS)
def test_rapper_reads_the_same_quads_without_warning(
    kb: Store, dumps: dict[str, bytes], name: str, rapper: str, tmp_path: Path
) -> None:
    path = tmp_path / f"dump.{FORMATS[name].extension}"
    path.write_bytes(dumps[name])
    parsed = subprocess.run([rapper, "-q", "-i", name, "-o", "nquads", str(path)], capture_output=True, check=False)
    assert parsed.returncode == 0
    assert parsed.stderr == b"", parsed.stderr.decode()
    quads = ox.parse(parsed.stdout, ox.RdfFormat.N_QUADS)
    assert canonical_nquads(quads) == canonical_nquads(as_ox(expected_quads(kb, name)))


# ---- JSON-LD: the project's own context, and pyld as the independent processor ------------------------


class Refused(Exception):
    """A document the local loader does not serve."""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every attempt to open a connection is recorded and fails."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network access in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


def local_loader(requested: list[str]) -> Callable[..., dict[str, Any]]:
    """A pyld document loader that serves the project's context at its published URL and refuses the rest."""
    served = {BASE + CONTEXT_PATH: load_context()}

    def load(url: str, options: object = None) -> dict[str, Any]:
        requested.append(url)
        if url not in served:
            raise Refused(f"not loading {url}: only the project's context is served locally")
        return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(served[url])}

    return load


def pyld_quads(document: object, requested: list[str]) -> list[ox.Quad]:
    options = {"format": "application/n-quads", "documentLoader": local_loader(requested)}
    return list(ox.parse(jsonld.to_rdf(document, options).encode("utf-8"), ox.RdfFormat.N_QUADS))


def test_pyld_reads_the_jsonld_dump_to_the_same_quads(
    kb: Store, dumps: dict[str, bytes], no_network: list[object]
) -> None:
    requested: list[str] = []
    document = json.loads(dumps["jsonld"])
    assert document["@context"] == load_context()["@context"]  # inline: reading a dump fetches nothing
    expanded = jsonld.expand(document, {"documentLoader": local_loader(requested)})
    assert expanded
    assert canonical_nquads(pyld_quads(document, requested)) == canonical_nquads(as_ox(expected_quads(kb, "jsonld")))
    assert requested == []
    assert no_network == []


def test_pyld_gets_the_published_context_from_the_local_loader(
    dumps: dict[str, bytes], no_network: list[object]
) -> None:
    """A document that names the context by its URL reads the same as the dump with the context inline."""
    requested: list[str] = []
    document = json.loads(dumps["jsonld"])
    by_reference = dict(document, **{"@context": BASE + CONTEXT_PATH})
    assert canonical_nquads(pyld_quads(by_reference, requested)) == canonical_nquads(pyld_quads(document, requested))
    assert requested == [BASE + CONTEXT_PATH]
    assert no_network == []


def test_a_remote_context_is_refused_not_fetched(no_network: list[object]) -> None:
    requested: list[str] = []
    remote = "https://example.org/remote-context.jsonld"
    with pytest.raises(jsonld.JsonLdError) as raised:
        pyld_quads({"@context": remote, "@id": "https://example.org/s", "name": "x"}, requested)
    assert requested == [remote]
    chain: list[BaseException] = []
    error: BaseException | None = raised.value
    while error is not None:
        chain.append(error)
        error = error.__cause__
    assert "loading remote context failed" in [getattr(error, "code", None) for error in chain]
    assert isinstance(chain[-1], Refused)
    assert no_network == []


def test_the_context_binds_every_project_prefix() -> None:
    context = load_context()["@context"]
    assert {prefix: context.get(prefix) for prefix in PREFIXES} == PREFIXES


def test_the_context_is_package_data() -> None:
    """pip install . must ship kb/context.jsonld (package ``stancekb``)."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "context.jsonld" in pyproject["tool"]["setuptools"]["package-data"].get("stancekb", [])


# ---- where the dumps are published ---------------------------------------------------------------------

DUMP_PATHS = [
    ("turtle", None, "/dumps/stancekb.ttl"),
    ("trig", None, "/dumps/stancekb.trig"),
    ("nquads", None, "/dumps/stancekb.nq"),
    ("ntriples", None, "/dumps/stancekb.nt"),
    ("jsonld", None, "/dumps/stancekb.jsonld"),
    ("rdfxml", None, "/dumps/stancekb.rdf"),
    ("trig", REFERENCE_GRAPH, "/dumps/graph/reference.trig"),
    ("turtle", VOID_GRAPH, "/dumps/graph/void.ttl"),
    ("nquads", GRAPH["sources/a.b"], "/dumps/graph/sources/a.b.nq"),
]


@pytest.mark.parametrize(("name", "graph", "path"), DUMP_PATHS)
def test_dump_paths_go_both_ways(name: str, graph: URIRef | None, path: str) -> None:
    assert dump_path(name, graph) == path
    fmt, target = dump_target(path)
    assert (fmt.name, target) == (name, graph)


@pytest.mark.parametrize(
    "path",
    [
        "/dumps/stancekb.n3",
        "/dumps/other.ttl",
        "/dumps/graph/.ttl",
        "/dumps/graph/a b.ttl",
        "/stancekb.ttl",
        "/dumps/graph/x",
    ],
)
def test_unknown_dump_paths_are_refused(path: str) -> None:
    with pytest.raises(ExportError, match="no dump at"):
        dump_target(path)


@pytest.mark.parametrize("graph", [URIRef("https://example.org/graph"), GRAPH["a?b"], GRAPH[""]])
def test_graphs_outside_the_graph_namespace_have_no_dump_path(graph: URIRef) -> None:
    with pytest.raises(ExportError, match="has no dump path"):
        dump_path("trig", graph)

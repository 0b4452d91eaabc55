from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from stancekb.load import graphs_of
from stancekb.namespaces import GRAPH
from stancekb.rdfio import EXTENSIONS, RdfInputError, parse_bytes, parse_file, rdf_format

SAMPLE = GRAPH["sample"]
BRUSSELS = URIRef("https://example.org/sample/brussels")


def expected() -> Graph:
    return Graph().parse(
        data="""
        @prefix ex: <https://example.org/sample/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:brussels rdfs:label "Brussels"@en , "Bruxelles"@fr ; ex:population 1222637 ;
            ex:founded "979"^^xsd:gYear ; ex:note "quote \u201c and \u2014 dash" ; ex:near [ rdfs:label "Leuven"@en ] .
        """,
        format="turtle",
    )


@pytest.mark.parametrize("name", ["sample.ttl", "sample.nt", "sample.rdf", "sample.jsonld"])
def test_triple_formats_parse_to_the_same_graph(valid: Path, name: str) -> None:
    dataset = parse_file(valid / "formats" / name)
    graphs = graphs_of(dataset, SAMPLE)
    assert list(graphs) == [SAMPLE]
    assert isomorphic(graphs[SAMPLE], expected())


@pytest.mark.parametrize("name", ["sample.trig", "sample.nq"])
def test_dataset_formats_keep_their_named_graph(valid: Path, name: str) -> None:
    graphs = graphs_of(parse_file(valid / "formats" / name), GRAPH["unused"])
    assert list(graphs) == [SAMPLE]
    assert isomorphic(graphs[SAMPLE], expected())


def test_literals_keep_datatype_and_language(valid: Path) -> None:
    graph = graphs_of(parse_file(valid / "formats" / "sample.ttl"), SAMPLE)[SAMPLE]
    assert Literal("Bruxelles", lang="fr") in set(graph.objects(BRUSSELS, None))
    assert graph.value(BRUSSELS, URIRef("https://example.org/sample/population")) == Literal(1222637)
    # A simple literal is rdflib's plain Literal, not one typed xsd:string (which rdflib holds unequal).
    assert graph.value(BRUSSELS, URIRef("https://example.org/sample/note")) == Literal("quote \u201c and \u2014 dash")


def test_blank_nodes_of_two_parses_are_distinct() -> None:
    data = b"_:x <https://example.org/p> _:x ."
    first, second = (set(parse_bytes(data, ox.RdfFormat.N_TRIPLES).quads()) for _ in range(2))
    assert len(first) == len(second) == 1
    assert first.isdisjoint(second)


@pytest.mark.parametrize(
    ("extension", "fmt"),
    [(".ttl", ox.RdfFormat.TURTLE), (".trig", ox.RdfFormat.TRIG), (".owl", ox.RdfFormat.RDF_XML)],
)
def test_format_by_extension(extension: str, fmt: ox.RdfFormat) -> None:
    assert rdf_format(f"x{extension}") == fmt
    assert EXTENSIONS[extension] == fmt


def test_format_by_media_type() -> None:
    assert rdf_format("text/turtle") == ox.RdfFormat.TURTLE


@pytest.mark.parametrize(
    ("content", "suffix", "line", "column", "problem"),
    [
        ("@prefix ex: <https://e/> .\nex:a ex:b ex:c .\nex:a foo:b ex:c .\n", ".ttl", 3, 6, "foo"),
        ("@prefix ex: <https://e/> .\n\nex:a ex:b ex:c\nex:d ex:e ex:f .\n", ".ttl", 4, None, ""),
        ("this is not RDF at all\n", ".ttl", 1, 1, ""),
        ('<https://e/a> <https://e/b> "unterminated .\n', ".nt", 1, None, ""),
        ("<https://e/a> <https://e/b> <relative> .\n", ".nt", 1, None, "IRI"),
    ],
)
def test_syntax_errors_name_file_line_and_problem(
    tmp_path: Path, content: str, suffix: str, line: int, column: int | None, problem: str
) -> None:
    path = tmp_path / f"bad{suffix}"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RdfInputError) as raised:
        parse_file(path)
    error = raised.value
    assert error.source == str(path)
    assert error.line == line
    if column is not None:
        assert error.column == column
    assert problem in error.problem
    message = str(error)
    assert "\n" not in message
    assert message.startswith(f"{path}:{line}:")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RdfInputError, match=r"missing\.ttl: cannot read the file"):
        parse_file(tmp_path / "missing.ttl")


def test_unknown_extension(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("a,b\n")
    with pytest.raises(RdfInputError, match="unknown RDF format"):
        parse_file(path)


def test_json_ld_remote_context_is_refused_not_fetched() -> None:
    data = b'{"@context": "https://schema.org/", "@id": "https://e/a", "name": "x"}'
    with pytest.raises(RdfInputError, match="remote context"):
        parse_bytes(data, ox.RdfFormat.JSON_LD, source="remote.jsonld")


def test_invalid_utf8() -> None:
    with pytest.raises(RdfInputError, match="UTF-8"):
        parse_bytes(b"<https://e/a> <https://e/b> '\xff' .", ox.RdfFormat.TURTLE)

"""`stancekb source new` and `source check`: a new source's scaffolded graph, and its anchors against the text."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from rdflib import Dataset, Literal, URIRef
from typer.testing import CliRunner, Result

from stancekb.anchors import check_anchors, sha256_hex
from stancekb.cli import app
from stancekb.load import read_graphs
from stancekb.namespaces import GRAPH, OA, RESOURCE, SKB
from stancekb.resources import kb_files
from stancekb.sources import ActorIndex, NewSource, SourceError, SourceIris, scaffold, slugify
from stancekb.validate import validate_shacl

runner = CliRunner()
SECOND = Path(__file__).parent / "data" / "second-source"
TEXT = SECOND / "allies-close-ranks.txt"


def invoke(*args: str | Path) -> Result:
    result = runner.invoke(app, [str(arg) for arg in args])
    gc.collect()
    return result


def new_source(tmp_path: Path, *extra: str) -> tuple[Path, Result]:
    output = tmp_path / "new.trig"
    result = invoke(
        "source", "new", "--text", TEXT, "--publisher", "TROIB News", "--slug", "allies-test",
        "--contributor", "Jane Roe", "--issued", "2026-12-10", "-o", output, *extra,
    )  # fmt: skip
    return output, result


def test_slugs_follow_the_iri_convention() -> None:
    assert slugify("Jean-Noël Barrot") == "jean-noel-barrot"
    assert slugify("Rutte Stands Alone in the 'New NATO'") == "rutte-stands-alone-in-the-new-nato"
    with pytest.raises(SourceError, match="bad slug"):
        SourceIris("Not A Slug")


def test_new_scaffolds_a_graph_that_conforms_and_whose_anchors_match(tmp_path: Path) -> None:
    output, result = new_source(tmp_path)
    assert result.exit_code == 0, result.output
    graphs = read_graphs([output])
    iris = SourceIris("allies-test")
    assert set(graphs) == {iris.graph}
    graph = graphs[iris.graph]
    text = TEXT.read_text(encoding="utf-8")
    assert str(graph.value(iris.document, SKB.sha256)) == sha256_hex(text)
    assert int(graph.value(iris.document, SKB.characterCount)) == len(text)  # type: ignore[arg-type]
    # the publisher is matched to the existing outlet, the new contributor follows the IRI convention
    assert graph.value(iris.document, URIRef("http://purl.org/dc/terms/publisher")) == RESOURCE["troib-news"]
    assert (RESOURCE["jane-roe"], None, None) in graph
    report = validate_shacl([*read_graphs(kb_files()).values(), graph])
    assert report.conforms, report.text()
    anchors = check_anchors(graph, text)
    assert anchors.checked == 2 and not anchors.failures


def test_new_refuses_to_overwrite_and_names_bad_options(tmp_path: Path) -> None:
    output, first = new_source(tmp_path)
    assert first.exit_code == 0
    before = output.read_bytes()
    _, again = new_source(tmp_path)
    assert again.exit_code == 2 and "exists" in again.output
    assert output.read_bytes() == before
    _, bad_date = new_source(tmp_path, "--force", "--issued", "10/12/2026")
    assert bad_date.exit_code == 2 and "--issued" in bad_date.output
    result = invoke("source", "new", "--text", tmp_path / "missing.txt", "--publisher", "X", "-o", tmp_path / "x.trig")
    assert result.exit_code == 2 and "missing.txt" in result.output
    binary = tmp_path / "latin1.txt"
    binary.write_bytes("Caf\xe9".encode("latin-1"))
    result = invoke("source", "new", "--text", binary, "--publisher", "X", "-o", tmp_path / "y.trig")
    assert result.exit_code == 2 and "not UTF-8" in result.output
    assert "Traceback" not in result.output


def test_check_passes_on_the_curated_second_source() -> None:
    result = invoke("source", "check", SECOND / "allies-close-ranks.trig", "--text", TEXT)
    assert result.exit_code == 0, result.output
    assert "0 failure(s)" in result.output


def test_check_reports_every_broken_selector_and_exits_1(tmp_path: Path) -> None:
    dataset = Dataset()
    dataset.parse(SECOND / "allies-close-ranks.trig", format="trig")
    graph = dataset.graph(GRAPH["allies-close-ranks"])
    exact = next(s for s, o in graph.subject_objects(OA.exact) if str(o).startswith("I did not expect"))
    graph.set((exact, OA.exact, Literal("I did expect this.")))
    broken = tmp_path / "broken.trig"
    dataset.serialize(broken, format="trig")
    result = invoke("source", "check", broken, "--text", TEXT)
    assert result.exit_code == 1
    assert "1 failure(s)" in result.output and "I did expect this." in result.output


def test_check_names_a_missing_file(tmp_path: Path) -> None:
    for args in (
        (tmp_path / "none.trig", "--text", TEXT),
        (SECOND / "allies-close-ranks.trig", "--text", tmp_path / "none.txt"),
    ):
        result = invoke("source", "check", *args)
        assert result.exit_code == 2, result.output
        assert "none." in result.output and "Traceback" not in result.output


def test_check_says_when_the_text_is_another_one(tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_text("Another article.", encoding="utf-8")
    result = invoke("source", "check", SECOND / "allies-close-ranks.trig", "--text", other)
    assert result.exit_code == 1
    assert "no skb:SourceDocument has skb:sha256" in result.output


def test_scaffold_without_a_title_in_the_text_has_no_title_anchor() -> None:
    source = NewSource(text="Body only.", title="A headline", publisher="Some Outlet", slug="no-title")
    graph = scaffold(source, ActorIndex()).graph(source.iris.graph)
    assert (None, SKB.evidence, None) not in graph
    assert (RESOURCE["some-outlet"], None, SKB.MediaOutlet) in graph

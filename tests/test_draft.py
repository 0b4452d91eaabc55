"""The drafting assistant: quotes, speakers and mentions found in a text, scored against the curated graph.

The scores on the first source are printed (``pytest -s``) and are the figures of docs/adding-a-source.md.
Two settings: the store holding the whole packaged KB (the speakers are known actors, matched by label), and
the store holding the reference data only (the speakers are new, named by the IRI convention).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef
from server_utils import TOKEN, live_server
from typer.testing import CliRunner

from stancekb.cli import app
from stancekb.draft import Attributor, evaluate, find_quotes
from stancekb.draft import draft as make_draft
from stancekb.load import load_files, load_graphs, load_packaged_kb, read_graphs
from stancekb.namespaces import GRAPH, RESOURCE, SKB
from stancekb.resources import kb_files
from stancekb.sources import BIBO_STATUS, ActorIndex, NewSource, SourceIris, read_text, store_actors
from stancekb.store import Store, open_store

SOURCES = Path(__file__).parents[2] / "shared" / "sources"
FIRST_TEXT = SOURCES / "rutte-stands-alone-new-nato.txt"
SECOND = Path(__file__).parent / "data" / "second-source"
TITLE = "Rutte Stands Alone in the 'New NATO'"
runner = CliRunner()


@pytest.fixture(scope="module")
def kb_store() -> Iterator[Store]:
    store = open_store("oxigraph:")
    load_packaged_kb(store)
    yield store
    store.close()


@pytest.fixture(scope="module")
def reference_store() -> Iterator[Store]:
    store = open_store("oxigraph:")
    load_files(store, [f for f in kb_files() if f.name == "reference.trig"], validate=False)
    yield store
    store.close()


def curated() -> Graph:
    return read_graphs(kb_files())[GRAPH["rutte-stands-alone-new-nato"]]


def first_draft(store: Store) -> Graph:
    source = NewSource(text=read_text(FIRST_TEXT), title=TITLE, publisher="TROIB News", slug="draft-of-rutte")
    return make_draft(source, store_actors(store)).graph(source.iris.graph)


@pytest.mark.parametrize("setting", ["kb_store", "reference_store"])
def test_draft_of_the_first_source_finds_its_quotes_and_speakers(setting: str, request: pytest.FixtureRequest) -> None:
    store: Store = request.getfixturevalue(setting)
    scores = evaluate(first_draft(store), curated(), store_actors(request.getfixturevalue("kb_store")))
    print(f"\nfirst source, store holding {'the packaged KB' if setting == 'kb_store' else 'the reference data'}:")
    for name, score in scores.items():
        print("  " + score.line(name))
    assert scores["quotes (exact span)"].recall >= 0.9 and scores["quotes (exact span)"].precision >= 0.9
    assert scores["speakers (of overlapping quotes)"].recall >= 0.85
    assert scores["actors mentioned"].precision >= 0.9


def test_a_draft_is_refused_by_the_gate_until_its_mark_is_removed(kb_store: Store) -> None:
    source = NewSource(text=read_text(FIRST_TEXT), title=TITLE, publisher="TROIB News", slug="draft-of-rutte")
    graph = make_draft(source, store_actors(kb_store)).graph(source.iris.graph)
    scratch = kb_store.scratch_copy()
    report = load_graphs(scratch, {source.iris.graph: graph})
    assert not report.committed
    shapes = {str(v.source_shape).rsplit("#", 1)[-1] for v in report.validation.violations}  # type: ignore[union-attr]
    assert shapes == {"UnreviewedDraftShape"}
    assert source.iris.graph not in scratch.named_graphs()
    graph.remove((source.iris.graph, BIBO_STATUS, None))
    assert load_graphs(scratch, {source.iris.graph: graph}).committed
    scratch.close()


def test_quotes_leave_out_the_outlets_comma_and_mix_marks() -> None:
    text = '“It will hold,” said Ann Lee. "We\'re ready." “Mixed marks."'
    assert [text[q.start : q.end] for q in find_quotes(text)] == ["It will hold", "We're ready.", "Mixed marks."]


@pytest.mark.parametrize(
    ("text", "speakers"),
    [
        ("“One,” stated Ann Lee, a senior analyst. “Two.”", ["ann-lee", "ann-lee"]),
        ("Ann Lee told reporters that “the plan works.” She added, “It is cheap.”", ["ann-lee", "ann-lee"]),
        ("“A,” according to Bo Chen. Later, X said nothing.\n“B.”", ["bo-chen", None]),
        ("A NATO diplomat was cautious. “Nothing is settled,” the diplomat said.", ["t/nato-diplomat"]),
        (
            "“Soon,” commented a defense official from a NATO country, who asked not to be named.",
            ["t/defense-official-from-a-nato-country"],
        ),
        ("The words “red line” appear here.", [None]),
        ("“Soon,” said Maria Fernández Ruiz, Spain\u2019s minister.", ["maria-fernandez-ruiz"]),
        ("Italian Foreign Minister Ana Gil said, “Yes.”", ["ana-gil"]),
    ],
)
def test_speakers_are_found_by_attribution_patterns(text: str, speakers: list[str | None]) -> None:
    found = list(Attributor(text, SourceIris("t"), ActorIndex()).speakers(find_quotes(text)))
    names = [None if s is None else str(s.iri).removeprefix(str(RESOURCE)) for s in found]
    assert names == speakers


def test_draft_command_writes_a_marked_graph_whose_anchors_match(tmp_path: Path) -> None:
    output = tmp_path / "draft.trig"
    text = SECOND / "allies-close-ranks.txt"
    result = runner.invoke(app, ["source", "draft", str(text), "--publisher", "TROIB News", "-o", str(output)])
    gc.collect()
    assert result.exit_code == 0, result.output
    assert "4 quote(s)" in result.output
    graphs = read_graphs([output])
    (graph,) = graphs.values()
    assert (None, BIBO_STATUS, None) in graph
    assert "bibo:status" in output.read_text(encoding="utf-8"), "the mark is written with BIBO's own prefix"
    assert len(set(graph.subjects(RDF.type, SKB.Quote))) == 4
    assert (None, None, URIRef(f"{RESOURCE}giuseppe-spatafora")) in graph
    check = runner.invoke(app, ["source", "check", str(output), "--text", str(text)])
    assert check.exit_code == 0, check.output
    scored = runner.invoke(app, ["source", "evaluate", str(output), str(SECOND / "allies-close-ranks.trig")])
    assert scored.exit_code == 0, scored.output
    assert "quotes (exact span): 4 right of 4 proposed" in scored.output


def test_the_graph_store_refuses_a_draft_over_http(kb_store: Store) -> None:
    """The same gate over the Graph Store Protocol: 422 naming the shape, then 201 once the mark is gone."""
    source = NewSource(text=read_text(SECOND / "allies-close-ranks.txt"), title="Allies", publisher="TROIB News")
    graph = make_draft(source, store_actors(kb_store)).graph(source.iris.graph)
    params = {"graph": str(source.iris.graph)}
    headers = {"content-type": "text/turtle", "authorization": f"Bearer {TOKEN}"}
    with live_server(update_token=TOKEN, load_kb=True) as server, server.client() as http:
        refused = http.put("/graph-store", params=params, content=graph.serialize(format="turtle"), headers=headers)
        assert refused.status_code == 422, refused.text
        assert {v["sourceShape"].rsplit("#", 1)[-1].rstrip(">") for v in refused.json()["violations"]} == {
            "UnreviewedDraftShape"
        }
        assert http.get("/graph-store", params=params).status_code == 404
        graph.remove((source.iris.graph, BIBO_STATUS, None))
        accepted = http.put("/graph-store", params=params, content=graph.serialize(format="turtle"), headers=headers)
        assert accepted.status_code == 201, accepted.text

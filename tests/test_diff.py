"""`stancekb diff OLD NEW`: statements removed and added per graph, blank nodes compared by what they say."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

from rdflib import Dataset, Literal, URIRef
from typer.testing import CliRunner, Result

from stancekb.cli import app
from stancekb.diff import diff, read_version
from stancekb.load import load_files
from stancekb.namespaces import GRAPH, RESOURCE, SKB
from stancekb.store import open_store

runner = CliRunner()
SECOND = Path(__file__).parent / "data" / "second-source" / "allies-close-ranks.trig"
GRAPH_IRI = GRAPH["allies-close-ranks"]
KB_DATA = Path(__file__).parents[1] / "kb" / "data"
STANCE = URIRef(f"{RESOURCE}allies-close-ranks/stance-spatafora-relations-strong")


def invoke(*args: str | Path) -> Result:
    result = runner.invoke(app, [str(arg) for arg in args])
    gc.collect()
    return result


def rewritten(tmp_path: Path, name: str, change: bool) -> Path:
    """The second source re-serialised by rdflib (other blank node labels, other order), changed or not."""
    dataset = Dataset()
    dataset.parse(SECOND, format="trig")
    graph = dataset.graph(GRAPH_IRI)
    if change:
        graph.set((STANCE, SKB.polarity, SKB.Neutral))
        interval = graph.value(STANCE, SKB.holdsDuring)
        graph.set((interval, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), Literal("the summit week")))
    path = tmp_path / name
    dataset.serialize(path, format="nquads")
    return path


def test_same_content_in_other_words_is_no_difference(tmp_path: Path) -> None:
    result = invoke("diff", SECOND, rewritten(tmp_path, "same.nq", change=False))
    assert result.exit_code == 0, result.output
    assert result.output == ""


def test_changes_are_listed_per_graph_and_subject_with_labels(tmp_path: Path) -> None:
    result = invoke("diff", SECOND, rewritten(tmp_path, "changed.nq", change=True))
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0] == "graph graph:allies-close-ranks: -2 +2 statements"
    assert lines[1] == "  allies-close-ranks:stance-spatafora-relations-strong"
    assert "    - skb:polarity skb:Favour" in lines
    assert "    + skb:polarity skb:Neutral" in lines
    # the changed blank node is one statement out, one in, written out in full
    assert "    - skb:holdsDuring [ a time:Interval ; time:inside allies-close-ranks:now ]" in lines
    added = [line for line in lines if line.startswith("    + skb:holdsDuring")]
    assert added == [
        '    + skb:holdsDuring [ a time:Interval ; rdfs:label "the summit week" ; time:inside allies-close-ranks:now ]'
    ]


def test_a_new_graph_and_labels_of_subjects(tmp_path: Path) -> None:
    old, new = read_version(str(SECOND)), read_version(str(SECOND))
    del old[GRAPH_IRI]
    changes, _ = diff(old, new)
    assert [c.graph for c in changes] == [GRAPH_IRI]
    assert not changes[0].removed and len(changes[0].added) > 100


def test_folders_and_stores_are_versions_too(tmp_path: Path) -> None:
    """A folder of files, and Oxigraph stores (which keep integers as xsd:integer: compare stores with stores)."""
    old_folder, new_folder = tmp_path / "old", tmp_path / "new"
    shutil.copytree(KB_DATA, old_folder)
    shutil.copytree(KB_DATA, new_folder)
    shutil.copy(SECOND, new_folder / "sources" / "second.trig")
    stores = {}
    for name, folder in (("old", old_folder), ("new", new_folder)):
        stores[name] = f"oxigraph:{tmp_path / (name + '-store')}"
        store = open_store(stores[name])
        load_files(store, sorted(folder.rglob("*.trig")), validate=False)  # the gate is not what is tested here
        store.close()
        del store
        gc.collect()
    for old, new in ((old_folder, new_folder), (stores["old"], stores["new"])):
        result = invoke("diff", old, new)
        assert result.exit_code == 1, result.output
        assert result.output.startswith("new graph graph:allies-close-ranks: -0 +"), result.output[:300]
        assert result.output.count(" statements") == 1


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .", encoding="utf-8")
    for args in ((SECOND, tmp_path / "missing.trig"), (broken, SECOND)):
        result = invoke("diff", *args)
        assert result.exit_code == 2, result.output
        assert result.output.startswith("error: ") and "Traceback" not in result.output

"""The synthetic KB generator (stancekb.generate): deterministic, the requested size, laid out like the KB, valid.

Sizes are small (a few thousand triples) to keep the suite fast; bench/bench_store.py runs it at scale.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import PROV, RDF, Graph, URIRef
from typer.testing import CliRunner

from stancekb.anchors import check_anchors
from stancekb.cli import app
from stancekb.generate import SyntheticKB, generate, write_synthetic_kb
from stancekb.load import read_graphs
from stancekb.namespaces import GRAPH, REFERENCE_GRAPH, SKB
from stancekb.rdfio import RdfInputError, parse_bytes
from stancekb.validate import validate_shacl

SIZE = 3_000
SEED = 7
STANCEKB = str(Path(sys.executable).with_name("stancekb"))
runner = CliRunner()


@pytest.fixture(scope="module")
def kb_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """A synthetic KB of about SIZE triples in N-Quads, and the number of triples written."""
    path = tmp_path_factory.mktemp("synthetic") / "kb.nq"
    return path, write_synthetic_kb(path, SIZE, SEED)


@pytest.fixture(scope="module")
def graphs(kb_file: tuple[Path, int]) -> dict[URIRef, Graph]:
    """The synthetic KB's named graphs, parsed as the load gate parses files."""
    return read_graphs([kb_file[0]])


def test_same_seed_gives_the_same_bytes(tmp_path: Path, kb_file: tuple[Path, int]) -> None:
    again = tmp_path / "again.nq"
    assert write_synthetic_kb(again, SIZE, SEED) == kb_file[1]
    assert again.read_bytes() == kb_file[0].read_bytes()


def test_another_seed_gives_another_kb(tmp_path: Path, kb_file: tuple[Path, int]) -> None:
    other = tmp_path / "other.nq"
    write_synthetic_kb(other, SIZE, SEED + 1)
    assert other.read_bytes() != kb_file[0].read_bytes()


@pytest.mark.parametrize("size", [1, 2_500, 12_000])
def test_size_is_reached_with_whole_sources(size: int) -> None:
    quads = list(generate(size, SEED))
    graphs = list(dict.fromkeys(quad.graph_name for quad in quads))
    last = SyntheticKB(size, SEED).source(len(graphs) - 2)
    assert graphs[0] == ox.NamedNode(REFERENCE_GRAPH)
    assert quads[-len(last.quads) :] == last.quads
    assert len(quads) >= size
    assert len(quads) - len(last.quads) < size or len(graphs) == 2, "one source too many"


def test_count_is_what_a_store_holds(kb_file: tuple[Path, int]) -> None:
    store = ox.Store()
    store.bulk_load(path=kb_file[0], format=ox.RdfFormat.N_QUADS)
    assert len(store) == kb_file[1] >= SIZE


def test_one_named_graph_per_source_and_the_reference_graph(graphs: dict[URIRef, Graph]) -> None:
    sources = sorted(name for name in graphs if name != REFERENCE_GRAPH)
    assert REFERENCE_GRAPH in graphs
    assert sources == [GRAPH[f"synthetic-{number:06d}"] for number in range(len(sources))]
    for name in sources:
        (document,) = graphs[name].subjects(RDF.type, SKB.SourceDocument)
        assert graphs[name].value(name, PROV.wasDerivedFrom) == document


def test_whole_kb_conforms_to_the_shapes(graphs: dict[URIRef, Graph]) -> None:
    report = validate_shacl(graphs.values())
    assert report.conforms, report.text()


def test_a_source_conforms_with_the_reference_graph_alone() -> None:
    kb = SyntheticKB(100_000, SEED)
    data = ox.serialize([*kb.reference(), *kb.source(123).quads], format=ox.RdfFormat.N_QUADS)
    assert data is not None
    report = validate_shacl(parse_bytes(data, ox.RdfFormat.N_QUADS))
    assert report.conforms, report.text()


def test_anchors_select_the_words_of_the_source_text(graphs: dict[URIRef, Graph]) -> None:
    source = SyntheticKB(SIZE, SEED).source(1)
    report = check_anchors(graphs[URIRef(source.graph.value)], source.text)
    assert report.checked > 50
    assert report.failures == []


def test_a_few_actors_hold_most_stances(graphs: dict[URIRef, Graph]) -> None:
    holders = Counter(holder for graph in graphs.values() for _, holder in graph.subject_objects(SKB.holder))
    top = [count for _, count in holders.most_common()]
    assert sum(top[:5]) > 0.35 * sum(top)
    assert holders.most_common(1)[0][0] == URIRef("https://w3id.org/stancekb/id/mark-rutte")


def test_trig_holds_the_same_quads_as_n_quads(tmp_path: Path, kb_file: tuple[Path, int]) -> None:
    trig = tmp_path / "kb.trig"
    assert write_synthetic_kb(trig, SIZE, SEED) == kb_file[1]
    assert set(ox.parse(path=trig)) == set(ox.parse(path=kb_file[0]))


@pytest.mark.parametrize("name", ["kb.ttl", "kb.nt", "kb.txt"])
def test_a_format_without_named_graphs_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(RdfInputError):
        write_synthetic_kb(tmp_path / name, SIZE, SEED)


def test_progress_is_reported_as_triples_are_written(tmp_path: Path) -> None:
    seen: list[int] = []
    written = write_synthetic_kb(tmp_path / "kb.nq", 25_000, SEED, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == written and len(seen) >= 3


def test_generate_command_writes_the_same_kb(tmp_path: Path, kb_file: tuple[Path, int]) -> None:
    """``stancekb generate`` (the installed command) writes what write_synthetic_kb writes, and says so."""
    output = tmp_path / "generated.nq"
    done = subprocess.run(
        [STANCEKB, "generate", "--triples", str(SIZE), "--seed", str(SEED), "-o", str(output)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert output.read_bytes() == kb_file[0].read_bytes()
    assert f"wrote {kb_file[1]} triples to {output}" in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--triples", "100", "-o", "{tmp}/kb.ttl"], "Turtle cannot hold named graphs"),
        (["--triples", "100", "-o", "{tmp}/missing/kb.nq"], "missing/kb.nq: No such file or directory"),
        (["--triples", "0", "-o", "{tmp}/kb.nq"], "--triples"),
    ],
    ids=["format", "folder", "size"],
)
def test_generate_command_refuses_bad_input_in_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["generate", *(arg.format(tmp=tmp_path) for arg in args)])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert not list(tmp_path.rglob("*.nq")) and not list(tmp_path.rglob("*.ttl"))

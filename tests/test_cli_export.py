"""``stancekb export``: the whole dataset or one graph, in every format, parsing back to the store's content."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph
from typer.testing import CliRunner

from stancekb.cli import app
from stancekb.export import FORMATS
from stancekb.load import read_graphs
from stancekb.namespaces import REFERENCE_GRAPH
from stancekb.resources import kb_files

runner = CliRunner()
RDFLIB_NAMES = {
    "turtle": "turtle",
    "trig": "trig",
    "nquads": "nquads",
    "ntriples": "nt",
    "jsonld": "json-ld",
    "rdfxml": "xml",
}


@pytest.mark.parametrize("name", FORMATS)
def test_export_of_the_whole_dataset_holds_every_kb_triple(name: str, tmp_path: Path) -> None:
    output = tmp_path / f"dump.{FORMATS[name].extension}"
    result = runner.invoke(app, ["--store", "memory:", "export", "--format", name, "--output", str(output)])
    assert result.exit_code == 0, result.output
    dump = Dataset()
    dump.parse(output, format=RDFLIB_NAMES[name])
    exported = {(s, p, o) for s, p, o, _ in dump.quads((None, None, None, None))}
    kb = {triple for graph in read_graphs(kb_files()).values() for triple in graph}
    blank_free = {triple for triple in kb if not any(isinstance(term, BNode) for term in triple)}
    assert len(exported) >= len(kb)
    assert blank_free <= exported


def test_export_of_one_graph_is_that_graph(tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "--format", "ntriples", "--graph", str(REFERENCE_GRAPH)])
    assert result.exit_code == 0, result.output
    exported = Graph().parse(data=result.stdout, format="nt")
    assert set(exported) == set(read_graphs(kb_files())[REFERENCE_GRAPH])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "yaml"], "unknown export format 'yaml'"),
        (["--graph", "https://example.org/none"], "holds no graph <https://example.org/none>"),
    ],
)
def test_bad_export_arguments_get_one_line(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["export", *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output

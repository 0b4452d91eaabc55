import gc
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from typer.testing import CliRunner

from stancekb.cli import app

runner = CliRunner()
SH = Namespace("http://www.w3.org/ns/shacl#")
EX = "https://example.org/sample/"
SOURCE_TEXT = Path(__file__).parents[2] / "shared" / "sources" / "rutte-stands-alone-new-nato.txt"
STANCEKB = Path(sys.executable).parent / "stancekb"  # the installed console script

BAD_CITY = f"""<https://w3id.org/stancekb/graph/cities> {{ <{EX}antwerp> a <{EX}City> . }}"""


def invoke(*args: str | Path):
    result = runner.invoke(app, [str(arg) for arg in args])
    # An on-disk Oxigraph store keeps its lock until the object is collected (OxigraphStore.close() only
    # flushes); a real run ends its process, here the next command of the test must be able to open it.
    gc.collect()
    return result


@pytest.fixture
def disk_store(tmp_path: Path) -> str:
    return f"oxigraph:{tmp_path / 'store'}"


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_help_lists_every_command() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("validate", "query", "load", "stats", "export", "serve"):
        assert command in result.stdout


def test_validate_the_packaged_kb_in_full() -> None:
    """Syntax, the project's SHACL shapes, HermiT and every anchor against the source text: all pass."""
    result = invoke("validate", "--text", SOURCE_TEXT)
    assert result.exit_code == 0, result.output
    assert "conforms: no SHACL violation" in result.stdout
    assert "reasoner: consistent" in result.stdout
    assert "0 failure(s)" in result.stdout


def test_validate_reports_a_violation(tmp_path: Path, use_city_shapes: None) -> None:
    result = invoke("validate", "--no-reason", write(tmp_path, "bad.trig", BAD_CITY))
    assert result.exit_code == 1
    assert f"<{EX}antwerp>" in result.stdout
    assert "rdfs:label" in result.stdout
    assert "MinCountConstraintComponent" in result.stdout


def test_validate_writes_the_report_graph_in_turtle(tmp_path: Path, use_city_shapes: None) -> None:
    result = invoke("validate", "--no-reason", "--report", "turtle", write(tmp_path, "bad.trig", BAD_CITY))
    assert result.exit_code == 1
    report = Graph().parse(data=result.stdout, format="turtle")
    [node] = report.subjects(SH.conforms, Literal(False))
    [violation] = report.objects(node, SH.result)
    assert report.value(violation, SH.focusNode) == URIRef(f"{EX}antwerp")
    assert report.value(violation, SH.sourceConstraintComponent) == SH.MinCountConstraintComponent


def test_validate_checks_the_anchors_of_a_text(valid: Path, tmp_path: Path, use_city_shapes: None) -> None:
    ok = invoke("validate", "--no-reason", valid / "mini-source.trig", "--text", valid / "mini-source.txt")
    assert ok.exit_code == 0, ok.output
    assert "5 selectors" in ok.stdout
    changed = write(tmp_path, "changed.txt", (valid / "mini-source.txt").read_text(encoding="utf-8") + "x")
    bad = invoke("validate", "--no-reason", valid / "mini-source.trig", "--text", changed)
    assert bad.exit_code == 1
    assert "no skb:SourceDocument has skb:sha256" in bad.stdout


def test_query_in_memory_has_the_packaged_kb() -> None:
    result = invoke(
        "--store", "oxigraph:", "query", "ASK { ?s a skb:Stance ; skb:polarity skb:Favour }", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["boolean"] is True


def test_query_select_as_json_from_a_file(tmp_path: Path) -> None:
    query = write(tmp_path, "q.rq", "SELECT ?doc WHERE { ?doc a skb:SourceDocument }")
    result = invoke("query", f"@{query}", "--format", "json", "--store", "memory:")
    assert result.exit_code == 0, result.output
    bindings = json.loads(result.stdout)["results"]["bindings"]
    assert {b["doc"]["value"] for b in bindings} == {"https://w3id.org/stancekb/id/rutte-stands-alone-new-nato"}


def test_query_construct_as_turtle(tmp_path: Path) -> None:
    query = write(tmp_path, "c.rq", "CONSTRUCT { ?doc a skb:SourceDocument } WHERE { ?doc a skb:SourceDocument }")
    result = invoke("query", "--file", query, "--format", "turtle")
    assert result.exit_code == 0, result.output
    graph = Graph().parse(data=result.stdout, format="turtle")
    expected = URIRef("https://w3id.org/stancekb/id/rutte-stands-alone-new-nato")
    assert set(graph) == {
        (
            expected,
            URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            URIRef("https://w3id.org/stancekb/ontology#SourceDocument"),
        )
    }


def test_query_table_and_tsv() -> None:
    table = invoke("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s a skb:SourceDocument }")
    assert table.exit_code == 0 and "1" in table.stdout
    tsv = invoke("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s a skb:SourceDocument }", "--format", "tsv")
    assert tsv.stdout.splitlines() == ["?n", "1"]


def test_a_format_that_does_not_fit_the_result() -> None:
    result = invoke("query", "ASK { ?s ?p ?o }", "--format", "csv")
    assert result.exit_code == 2
    assert "does not apply to a ask result" in result.stderr


def test_load_persists_and_a_failed_load_changes_nothing(
    valid: Path, tmp_path: Path, disk_store: str, request: pytest.FixtureRequest
) -> None:
    loaded = invoke("--store", disk_store, "load", valid / "formats" / "sample.trig")
    assert loaded.exit_code == 0, loaded.output
    count = ["--store", disk_store, "query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv"]
    assert invoke(*count).stdout.split() == ["n", "7"]
    request.getfixturevalue("use_city_shapes")
    refused = invoke("load", write(tmp_path, "bad.trig", BAD_CITY), "--store", disk_store)
    assert refused.exit_code == 1
    assert "nothing was written" in refused.stderr
    assert invoke(*count).stdout.split() == ["n", "7"]


def test_stats(valid: Path, disk_store: str) -> None:
    assert invoke("--store", disk_store, "load", valid / "formats" / "sample.trig").exit_code == 0
    result = invoke("--store", disk_store, "stats")
    assert result.exit_code == 0, result.output
    assert "triples per graph" in result.stdout
    assert "https://w3id.org/stancekb/graph/sample" in result.stdout.replace("\n", "")


def test_serve_is_wired() -> None:
    result = invoke("serve", "--help")
    assert result.exit_code == 0
    assert "--update-token" in result.stdout


BAD_INPUTS = [
    ("not RDF", "validate --no-reason {file}", "hello.ttl", "Hello, this is no RDF.\n", "hello.ttl:1:"),
    ("Turtle syntax", "validate --no-reason {file}", "broken.ttl", "<https://e/a> <https://e/b> .\n", "broken.ttl:1:"),
    ("unknown prefix", "validate --no-reason {file}", "prefix.ttl", "\nex:a ex:b ex:c .\n", "prefix.ttl:2:"),
    ("SPARQL syntax", "--store {store} query @{file}", "q.rq", "SELECT * WHERE {\n ?s ?p \n}\n", "q.rq: error at 3:"),
    (
        "SPARQL prefix",
        "--store {store} query @{file}",
        "p.rq",
        "SELECT * WHERE {\n ?s nope:p ?o }\n",
        "p.rq: error at 2:",
    ),
    pytest.param(
        "SPARQL prefix, rdflib store",
        "--store memory: query @{file}",
        "p.rq",
        "SELECT * WHERE {\n ?s nope:p ?o }\n",
        "p.rq:",
    ),
    ("missing file", "validate --no-reason {file}", None, None, "missing.ttl: cannot read the file"),
    ("missing query file", "--store {store} query @{file}", None, None, "missing.ttl: No such file"),
    ("bad store location", "--store nowhere:at-all stats", None, None, "unknown store location 'nowhere:at-all'"),
    (
        "store path is a file",
        "--store oxigraph:{file} stats",
        "plain.txt",
        "not a folder\n",
        "cannot open the Oxigraph store",
    ),
]


def bad_input_args(tmp_path: Path, command: str, name: str | None, content: str | None) -> list[str]:
    path = tmp_path / (name or "missing.ttl")
    if content is not None:
        path.write_text(content, encoding="utf-8")
    return command.format(file=path, store=f"oxigraph:{tmp_path / 'store'}").split()


@pytest.mark.parametrize(
    ("case", "command", "name", "content", "message"),
    BAD_INPUTS,
    ids=[(case.values if hasattr(case, "values") else case)[0] for case in BAD_INPUTS],
)
def test_bad_input_gets_one_line_and_no_traceback(
    tmp_path: Path, case: str, command: str, name: str | None, content: str | None, message: str
) -> None:
    result = runner.invoke(app, bad_input_args(tmp_path, command, name, content))
    assert result.exit_code == 2, (case, result.output)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert message in lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("case", ["Turtle syntax", "SPARQL syntax", "bad store location"])
def test_installed_command_gives_one_line_errors(tmp_path: Path, case: str) -> None:
    [(_, command, name, content, message)] = [c for c in BAD_INPUTS if isinstance(c, tuple) and c[0] == case]
    completed = subprocess.run(
        [str(STANCEKB), *bad_input_args(tmp_path, command, name, content)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 2
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1, completed.stderr
    assert message in lines[0]
    assert "Traceback" not in completed.stderr + completed.stdout

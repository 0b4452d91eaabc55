"""Loading files with Oxigraph's own parser (stancekb.bulk): the meaning of load_files, without rdflib in front.

The reference is the rdflib path as ``load_files`` runs it (``read_graphs`` then ``load_graphs``): on the
packaged KB and on a generated KB both must leave the same quads (compared canonically: blank node labels
differ) and report the same graphs; every file of tests/data/invalid written onto the baseline KB is
refused with its declared results and nothing written, through the incremental gate and through the staged
full validation; graphs replace graphs of the same IRI; parse errors and hostile files are refused before
anything is written; and a load killed with SIGKILL leaves an on-disk store with all of it or none.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from test_incremental_validation import FAR_READING_CASES, NEW_GRAPH, named
from test_persistence import assert_killed_loads_leave_all_or_none, big_file, kill_while_writing
from test_shapes import BASELINE, INVALID_FILES, load_case

from stancekb import bulk
from stancekb.bulk import load_files_natively
from stancekb.generate import SyntheticKB, write_synthetic_kb
from stancekb.load import LoadReport, load_graphs, read_graphs
from stancekb.namespaces import GRAPH
from stancekb.rdfio import RdfInputError
from stancekb.resources import kb_files
from stancekb.store import MAX_NESTING, OxigraphStore
from stancekb.validate import ValidationReport

EX = "https://example.org/bulk/"


def rdflib_path(store: OxigraphStore, files: list[Path], default_graph: URIRef | None = None) -> LoadReport:
    """What ``load_files`` did before this module: rdflib parses, the gate validates, the store converts."""
    return load_graphs(store, read_graphs(files, default_graph), sources=[str(file) for file in files])


def canonical(store: OxigraphStore) -> ox.Dataset:
    """The store's quads with blank nodes canonically relabelled, to compare two stores."""
    dataset = ox.Dataset(store.native)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def assert_same_loads(files: list[Path], before: tuple[Path, ...] = ()) -> LoadReport:
    """Both paths, onto stores that first got ``before`` the same way: same reports, same stores."""
    reference, native = OxigraphStore(), OxigraphStore()
    if before:
        assert rdflib_path(reference, list(before)).committed
        assert load_files_natively(native, list(before)).committed
    expected = rdflib_path(reference, files)
    found = load_files_natively(native, files)
    assert (found.graphs, found.committed, found.sources) == (expected.graphs, expected.committed, expected.sources)
    assert found.validation is not None and expected.validation is not None
    assert found.validation.conforms == expected.validation.conforms
    assert canonical(native) == canonical(reference)
    return found


def test_the_packaged_kb_gives_the_same_graphs_and_verdict() -> None:
    report = assert_same_loads(list(kb_files()))  # type: ignore[arg-type]
    assert report.committed and len(report.graphs) >= 3


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small generated KB, and a further file of the next two sources (new graphs) for it."""
    folder = tmp_path_factory.mktemp("synthetic")
    kb_file = folder / "kb.nq"
    write_synthetic_kb(kb_file, 3000)
    kb = SyntheticKB(3000)
    last = max(int(name.value.rsplit("-", 1)[-1]) for name in {q.graph_name for q in ox.parse(path=kb_file)}
               if isinstance(name, ox.NamedNode) and "synthetic-" in name.value)  # fmt: skip
    further = folder / "further.nq"
    ox.serialize([q for n in (last + 1, last + 2) for q in kb.source(n).quads], further, ox.RdfFormat.N_QUADS)
    return kb_file, further


def test_a_generated_kb_gives_the_same_graphs_and_verdict(synthetic: tuple[Path, Path]) -> None:
    kb_file, _ = synthetic
    assert assert_same_loads([kb_file]).committed


def test_a_further_file_on_a_generated_kb_goes_through_the_incremental_gate(
    synthetic: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    kb_file, further = synthetic
    calls: list[int] = []
    incremental = bulk.validate_graph_write_incrementally

    def counted(*args: Any, **kwargs: Any) -> ValidationReport:
        calls.append(1)
        return incremental(*args, **kwargs)

    monkeypatch.setattr(bulk, "validate_graph_write_incrementally", counted)
    monkeypatch.setattr(bulk, "INCREMENTAL_SHARE", 1.0)  # two sources are not small against a 3,000-triple KB
    assert assert_same_loads([further], before=(kb_file,)).committed
    assert calls == [1]


def test_loading_the_same_files_again_replaces_them(synthetic: tuple[Path, Path]) -> None:
    kb_file, _ = synthetic
    assert assert_same_loads([kb_file], before=(kb_file,)).committed


@pytest.fixture(scope="module")
def baseline() -> Iterator[OxigraphStore]:
    """The valid shapes baseline KB, loaded natively without validation (not changed by the tests)."""
    store = OxigraphStore()
    assert load_files_natively(store, [BASELINE], validate=False).committed
    yield store
    store.close()


CASES = [
    *(pytest.param(path, 0.0, id=f"staged-full-{path.stem}") for path in INVALID_FILES),
    *(
        pytest.param(path, 1.0, id=f"incremental-{path.stem}")
        for path in INVALID_FILES
        if path.stem in FAR_READING_CASES
    ),
]
"""Every case through the staged full validation; through the incremental gate (which test_incremental_validation
runs on every case) the cases whose shapes read beyond the focus node."""


@pytest.mark.parametrize(("path", "share"), CASES)
def test_every_invalid_case_is_refused_with_its_results_and_nothing_written(
    baseline: OxigraphStore, path: Path, share: float, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "INCREMENTAL_SHARE", share)
    case = load_case(path)
    file = tmp_path / "case.nt"
    case.data.serialize(file, format="nt", encoding="utf-8")
    before = canonical(baseline)
    report = load_files_natively(baseline, [file], default_graph=NEW_GRAPH)
    assert not report.committed and report.validation is not None and not report.validation.conforms
    assert named(report.validation.violations) == case.expected
    assert canonical(baseline) == before


def test_graphs_replace_stored_graphs_of_the_same_iri_and_leave_the_others(tmp_path: Path) -> None:
    store = OxigraphStore()
    first = write(tmp_path / "first.trig", f"<{EX}g1> {{ <{EX}a> <{EX}p> 1 }} <{EX}g2> {{ <{EX}b> <{EX}p> 2 }}")
    second = write(tmp_path / "second.trig", f"<{EX}g1> {{ <{EX}a> <{EX}p> 3, 4 }} <{EX}g3> {{ <{EX}c> <{EX}p> 5 }}")
    assert load_files_natively(store, [first], validate=False).committed
    report = load_files_natively(store, [second], validate=False)
    assert report.graphs == {URIRef(f"{EX}g1"): 2, URIRef(f"{EX}g3"): 1}
    values = {(q.graph_name.value, int(q.object.value)) for q in store.native}  # type: ignore[union-attr]
    assert values == {(f"{EX}g1", 3), (f"{EX}g1", 4), (f"{EX}g2", 2), (f"{EX}g3", 5)}


def test_default_graph_triples_go_to_the_graph_given_or_named_after_the_file(tmp_path: Path) -> None:
    turtle = write(tmp_path / "cities.v2.ttl", f"<{EX}a> <{EX}p> <{EX}b> .")
    mixed = write(tmp_path / "mixed.trig", f"<{EX}c> <{EX}p> [ <{EX}q> 1 ] . <{EX}g> {{ <{EX}d> <{EX}p> 2 }}")
    for default_graph in (None, URIRef(f"{EX}given")):
        store = OxigraphStore()
        report = load_files_natively(store, [turtle, mixed], default_graph=default_graph, validate=False)
        expected = rdflib_path(OxigraphStore(), [turtle, mixed], default_graph).graphs
        assert report.graphs == expected
        if default_graph is None:
            assert report.graphs == {GRAPH["cities"]: 1, GRAPH["mixed"]: 2, URIRef(f"{EX}g"): 1}
        else:
            assert report.graphs == {default_graph: 3, URIRef(f"{EX}g"): 1}


def test_parse_errors_name_the_file_and_line_and_write_nothing(tmp_path: Path) -> None:
    store = OxigraphStore()
    good = write(tmp_path / "good.ttl", f"<{EX}a> <{EX}p> 1 .")
    broken = write(tmp_path / "broken.ttl", f"<{EX}a> <{EX}p> 1 .\n<{EX}a> <{EX}p> .\n")
    with pytest.raises(RdfInputError, match=r"broken\.ttl:2:\d+: ") as raised:
        load_files_natively(store, [good, broken])
    assert raised.value.line == 2
    with pytest.raises(RdfInputError, match=r"relative\.ttl:1:"):
        load_files_natively(store, [write(tmp_path / "relative.ttl", f"<{EX}a> <{EX}p> <b> .")])
    with pytest.raises(RdfInputError, match=r"missing\.nq: cannot read the file"):
        load_files_natively(store, [tmp_path / "missing.nq"])
    with pytest.raises(RdfInputError, match=r"unknown RDF format"):
        load_files_natively(store, [write(tmp_path / "data.csv", "a,b")])
    assert len(store) == 0


RDF_XML = (
    '<?xml version="1.0"?><!DOCTYPE rdf:RDF [{entities}]><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
    ' xmlns:ex="https://e.org/"><rdf:Description rdf:about="&ex;s"><ex:p>{text}</ex:p></rdf:Description></rdf:RDF>'
)


def test_a_billion_laughs_is_refused_before_it_expands(tmp_path: Path) -> None:
    laughs = '<!ENTITY ex "https://e.org/"><!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    )
    bomb = write(tmp_path / "laughs.rdf", RDF_XML.format(entities=laughs, text="&l9;"))
    store = OxigraphStore()
    started = time.process_time()
    with pytest.raises(RdfInputError, match=r"laughs\.rdf: .*nested entities"):
        load_files_natively(store, [bomb])
    assert time.process_time() - started < 1 and len(store) == 0
    plain = write(tmp_path / "plain.rdf", RDF_XML.format(entities='<!ENTITY ex "https://e.org/">', text="&ex;o"))
    assert load_files_natively(store, [plain], validate=False).graphs == {GRAPH["plain"]: 1}


def test_json_ld_nested_too_deep_is_refused_and_shallow_json_ld_read(tmp_path: Path) -> None:
    """Nested 5,000 deep, this file kills the process inside Oxigraph's JSON-LD parser (SIGSEGV) unless refused."""
    depth = 5000
    deep = write(
        tmp_path / "deep.jsonld", '{"@id": "https://e.org/s", "https://e.org/p": ' * depth + '"x"' + "}" * depth
    )
    store = OxigraphStore()
    with pytest.raises(RdfInputError, match=rf"deep\.jsonld:1: JSON nests more than {MAX_NESTING} deep"):
        load_files_natively(store, [deep])
    nested = MAX_NESTING - 1
    text = '{"@id": "https://e.org/s", "https://e.org/p": ' * nested + '"x {[ in a string"' + "}" * nested
    assert load_files_natively(store, [write(tmp_path / "ok.jsonld", text)], validate=False).committed
    assert len(store) == 2


def test_a_remote_json_ld_context_is_refused_and_never_fetched(tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        port = listener.getsockname()[1]
        remote = write(tmp_path / "remote.jsonld", f'{{"@context": "http://127.0.0.1:{port}/c", "@id": "{EX}s"}}')
        with pytest.raises(RdfInputError, match=r"remote\.jsonld: .*remote context"):
            load_files_natively(OxigraphStore(), [remote])
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected


def test_rdf_12_triple_terms_are_refused_as_the_rdflib_path_refuses_them(tmp_path: Path) -> None:
    fine = write(tmp_path / "fine.ttl", f"<{EX}a> <{EX}p> 1 .")
    term = write(tmp_path / "term.ttl", f"<{EX}a> <{EX}p> <<( <{EX}a> <{EX}p> <{EX}b> )>> .")
    with pytest.raises(RdfInputError):
        rdflib_path(OxigraphStore(), [fine, term])
    store = OxigraphStore()
    with pytest.raises(RdfInputError, match=r"term\.ttl: unexpected term"):
        load_files_natively(store, [fine, term])
    assert len(store) == 0


def test_progress_is_told_each_stage_in_order(tmp_path: Path, city_shapes: Graph) -> None:
    """Files parsed one by one, shapes validated one by one (the staged full validation), then the commit."""
    files = [write(tmp_path / f"f{n}.ttl", f"<{EX}a{n}> <{EX}p> {n} .") for n in range(3)]
    seen: list[tuple[str, int, int]] = []
    assert load_files_natively(OxigraphStore(), files, shapes=city_shapes, progress=lambda *s: seen.append(s)).committed
    assert seen[:4] == [("parse", 0, 3), ("parse", 1, 3), ("parse", 2, 3), ("parse", 3, 3)]
    assert seen[-2:] == [("commit", 0, 1), ("commit", 1, 1)]
    validating = seen[4:-2]
    assert validating and {stage for stage, _, _ in validating} == {"validate"}
    assert [done for _, done, _ in validating] == sorted(done for _, done, _ in validating)
    assert validating[-1][1] == validating[-1][2] >= 1


# --- a load killed with SIGKILL leaves all of it or none ---------------------------------------------------

LOADER = """
import sys
from pathlib import Path
from stancekb.bulk import load_files_natively
from stancekb.store import OxigraphStore
store = OxigraphStore(f"oxigraph:{sys.argv[1]}")
assert load_files_natively(store, [Path(sys.argv[2])]).committed
store.close()
"""


def native_load(folder: Path, file: Path) -> subprocess.Popen[bytes]:
    """A process loading a file into the on-disk store in the folder with ``load_files_natively``."""
    command = [sys.executable, "-c", LOADER, str(folder), str(file)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def killed(folder: Path, file: Path, delay: float) -> bool:
    """Kill the native load ``delay`` seconds after the store's files start to grow; whether it was still running."""
    return kill_while_writing(folder, lambda: native_load(folder, file), delay)


@pytest.mark.parametrize("replacing", [False, True], ids=["new-graph", "replacing-a-graph"])
def test_a_native_load_killed_while_writing_leaves_all_of_the_file_or_none(tmp_path: Path, replacing: bool) -> None:
    start = tmp_path / "start"
    small = write(tmp_path / "small.trig", f'<{EX}small> {{ <{EX}a> <{EX}p> "one" ; <{EX}q> [ <{EX}r> 3 ] . }}')
    for file in [small, big_file(tmp_path / "old.nq", "o")] if replacing else [small]:
        done = native_load(start, file)
        assert done.wait() == 0, done.communicate()[1]
    assert_killed_loads_leave_all_or_none(tmp_path, start, big_file(tmp_path / "big.nq", "x"), killed)

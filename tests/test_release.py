"""Releases: the folder holds the versioned ontology, every dump (parsing back to the store), the description,
the docs and a manifest; a second release, made after changing a copy of the data and of the ontology, logs
exactly the terms and statements added and removed; a release is never overwritten."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

from stancekb.describe import DATASET, DCAT
from stancekb.export import FORMATS, VOID_GRAPH, canonical_nquads, dump_path, export, ox_quad
from stancekb.load import load_packaged_kb, read_graphs
from stancekb.namespaces import GRAPH, ONTOLOGY_IRI, SKB
from stancekb.ontodocs import terms
from stancekb.release import GRAPH_FORMATS, ReleaseError, previous_release, release, version_key
from stancekb.resources import ontology_graph
from stancekb.store import Store, open_store

BASE = "https://stancekb.example.org"
SOURCE_GRAPH = GRAPH["rutte-stands-alone-new-nato"]
STANCEKB = Path(sys.executable).parent / "stancekb"
COALITION = URIRef(f"{SKB._NS}Coalition")  # a new term: not in the checked namespace

pytest_plugins = ["linked_data_fixtures"]  # kb, server, client


@pytest.fixture(scope="module")
def first(kb: Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Release 1.0.0 of the packaged KB."""
    folder = tmp_path_factory.mktemp("releases")
    made = release(kb, "1.0.0", folder, base_url=BASE)
    assert made.folder == folder / "1.0.0"
    return made.folder


def test_the_release_holds_the_versioned_ontology(first: Path) -> None:
    graph = Graph().parse(first / "ontology.ttl", format="turtle")
    assert graph.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/1.0.0")
    assert graph.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("1.0.0")
    assert graph.value(ONTOLOGY_IRI, OWL.priorVersion) is None
    assert Graph().parse(first / "ontology.rdf", format="xml").value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("1.0.0")
    assert len(graph) == len(ontology_graph()), "the same axioms, one version IRI replaced"


def test_the_release_holds_every_dump_parsing_back_to_the_store(first: Path, kb: Store) -> None:
    whole = export(kb, "nquads", base_url=BASE, version="1.0.0")
    for name, fmt in FORMATS.items():
        for graph in (None, *(kb.named_graphs() if name in GRAPH_FORMATS else ())):
            body = (first / dump_path(name, graph).lstrip("/")).read_bytes()
            parsed = ox.parse(body, ox.RdfFormat.from_media_type(fmt.media_type))
            if graph is None:  # the dataset with its description, as ``stancekb export`` writes it in N-Quads
                quads = list(ox.parse(whole, ox.RdfFormat.N_QUADS))
                if not fmt.holds_graphs:
                    quads = [ox.Quad(q.subject, q.predicate, q.object) for q in quads]
            else:
                quads = [ox_quad(q if fmt.holds_graphs else (*q[:3], None)) for q in kb.quads(graph)]
            assert canonical_nquads(parsed) == canonical_nquads(quads), (name, graph)


def test_the_release_holds_its_description_and_docs(first: Path, kb: Store) -> None:
    void = Graph().parse(first / "void.ttl", format="turtle")
    assert void.value(DATASET, DCAT.version) == Literal("1.0.0")
    assert (first / "void.ttl").read_bytes() == (first / dump_path("turtle", VOID_GRAPH).lstrip("/")).read_bytes()
    html = (first / "docs" / "ontology.html").read_text(encoding="utf-8")
    assert all(f'id="{str(term).rpartition("#")[2]}"' in html for term in terms(ontology_graph()))
    assert f"{ONTOLOGY_IRI}/1.0.0" in html
    assert (first / "docs" / "ontology.svg").read_text(encoding="utf-8").startswith("<svg")


def test_the_manifest_lists_every_file_with_its_digest(first: Path) -> None:
    manifest = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["version"] == "1.0.0" and manifest["previous"] is None
    on_disk = {p.relative_to(first).as_posix() for p in first.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(manifest["files"]) == on_disk
    for name, entry in manifest["files"].items():
        assert hashlib.sha256((first / name).read_bytes()).hexdigest() == entry["sha256"]


def test_a_first_release_logs_everything_as_new(first: Path, kb: Store) -> None:
    changes = json.loads((first / "changes.json").read_text(encoding="utf-8"))
    assert changes["previous"] is None
    assert set(changes["terms"]["added"]) == {str(t) for t in terms(ontology_graph())}
    assert changes["graphs"][str(SOURCE_GRAPH)]["removed"] == 0
    assert "first release" in (first / "CHANGES.md").read_text(encoding="utf-8")


def changed_copy(tmp_path: Path) -> Path:
    """A copy of the source's data file with one statement added and one removed."""
    text = (files("stancekb.data.sources") / "rutte-stands-alone-new-nato.trig").read_text(encoding="utf-8")
    for old, new in (
        (
            'rdfs:label "Mark Rutte"@en ;',
            'rdfs:label "Mark Rutte"@en ; rdfs:comment "Changed for a test release."@en ;',
        ),
        ("skr:mark-rutte , skr:nato , skr:white-house-office ;", "skr:mark-rutte , skr:nato ;"),
    ):
        assert text.count(old) == 1
        text = text.replace(old, new)
    path = tmp_path / "rutte-stands-alone-new-nato.trig"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_second_release_logs_what_changed_since_the_first(first: Path, tmp_path: Path) -> None:
    store = open_store("oxigraph:")
    assert load_packaged_kb(store).committed
    store.replace_graphs(read_graphs([changed_copy(tmp_path)]))  # the gate is tested elsewhere
    ontology = Graph()
    ontology += ontology_graph()
    ontology.add((COALITION, RDF.type, OWL.Class))
    ontology.add((COALITION, RDFS.label, Literal("coalition", lang="en")))
    ontology.remove((SKB.Weak, None, None))
    try:
        made = release(store, "1.1.0", first.parent, base_url=BASE, ontology=ontology)
    finally:
        store.close()
    assert made.changes.previous == "1.0.0", "the latest release below 1.1.0 beside it"
    summary = json.loads((made.folder / "changes.json").read_text(encoding="utf-8"))
    assert summary["terms"] == {"added": [str(COALITION)], "removed": [str(SKB.Weak)]}
    assert summary["graphs"] == {str(SOURCE_GRAPH): {"added": 1, "removed": 1}}
    log = (made.folder / "CHANGES.md").read_text(encoding="utf-8")
    assert "since 1.0.0" in log and '"Changed for a test release."@en' in log and "white-house-office" in log
    assert f"- <{COALITION}>" in log
    graph = Graph().parse(made.folder / "ontology.ttl", format="turtle")
    assert graph.value(ONTOLOGY_IRI, OWL.priorVersion) == URIRef(f"{ONTOLOGY_IRI}/1.0.0")


def test_a_release_is_never_overwritten_and_a_bad_version_is_refused(first: Path, kb: Store) -> None:
    before = (first / "manifest.json").read_bytes()
    with pytest.raises(ReleaseError, match="exists already"):
        release(kb, "1.0.0", first.parent, base_url=BASE)
    assert (first / "manifest.json").read_bytes() == before
    for bad in ("../escape", "", "1.0/2", ".hidden"):
        with pytest.raises(ReleaseError, match="is not a version"):
            release(kb, bad, first.parent, base_url=BASE)
    assert not [p for p in first.parent.iterdir() if p.name.startswith(".")], "no staging folder left behind"


def test_versions_sort_by_number() -> None:
    assert sorted(["1.10.0", "1.9.0", "1.9.0-rc1", "0.2"], key=version_key) == ["0.2", "1.9.0", "1.9.0-rc1", "1.10.0"]


def test_previous_release_ignores_folders_that_are_no_release(tmp_path: Path) -> None:
    (tmp_path / "0.9").mkdir()
    (tmp_path / "0.5").mkdir()
    (tmp_path / "0.5" / "manifest.json").write_text("{}")
    assert previous_release(tmp_path, "1.0") == tmp_path / "0.5"
    assert previous_release(tmp_path, "0.5") is None


def test_stancekb_release_writes_the_folder(tmp_path: Path) -> None:
    made = subprocess.run(
        [str(STANCEKB), "release", "2.0.0", "--into", str(tmp_path)], capture_output=True, text=True, timeout=300
    )
    assert made.returncode == 0, made.stderr
    assert f"release 2.0.0 written to {tmp_path / '2.0.0'} (first release)" in made.stdout
    assert json.loads((tmp_path / "2.0.0" / "manifest.json").read_text(encoding="utf-8"))["version"] == "2.0.0"
    assert (tmp_path / "2.0.0" / "dumps" / "stancekb.trig").is_file()

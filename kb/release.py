"""Releases: ``stancekb release VERSION`` writes one folder holding everything a version of the KB publishes.

``releases/VERSION/`` (under the folder given) holds:

- ``ontology.ttl`` and ``ontology.rdf``: the ontology (core and modules) with the release's version IRI
  (``https://w3id.org/stancekb/ontology/VERSION``), ``owl:versionInfo`` and the previous release's version IRI
  as ``owl:priorVersion``;
- ``dumps/stancekb.EXT`` (every format) and ``dumps/graph/NAME.ttl`` and ``.nq`` (each named graph and the
  description): the dumps of ``stancekb.export``, laid out as the server's ``/dumps/`` (the description's
  ``dcat:version`` is the release's);
- ``void.ttl``: the VoID and DCAT description alone;
- ``docs/ontology.html`` and ``docs/ontology.svg``: the documentation of that ontology (``stancekb.ontodocs``);
- ``CHANGES.md`` and ``changes.json``: what was added and removed since the previous release: the ontology's
  terms, and the statements of each named graph as ``stancekb diff`` compares them (``stancekb.diff``: blank
  nodes by what they say, so that relabelling is no change); the description graph ``VOID_GRAPH`` is left
  out, since its counts change with everything else;
- ``manifest.json``: the version, the previous one, and each file's size and SHA-256.

The previous release is the folder beside it with the highest version below this one (or the one given). A
release is written into a temporary folder and renamed into place at the end: an existing release is never
overwritten, and a failed one leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rdflib import OWL, Graph, Literal, URIRef

from stancekb.diff import GraphDiff, diff, read_version, render
from stancekb.export import DUMP_STEM, FORMATS, VOID_GRAPH, dump_path, dump_quads, has_dump_path, ox_quad, serialise
from stancekb.namespaces import ONTOLOGY_IRI
from stancekb.ontodocs import terms, write_docs
from stancekb.resources import ontology_graph
from stancekb.store import Store

VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}")
"""A release version: a word of letters, digits and ``.+_-`` (``1.0.0``, ``2026.12``, ``1.1.0-rc1``)."""

MANIFEST = "manifest.json"
ONTOLOGY_FILES = {"ontology.ttl": "turtle", "ontology.rdf": "rdfxml"}
GRAPH_FORMATS = ("turtle", "nquads")
"""The formats of each graph's dump in a release (the whole dataset's are all of ``FORMATS``; rdflib's writers
take most of a release's time, and the server writes any graph in any format)."""


class ReleaseError(ValueError):
    """A release that cannot be made: a bad version, an existing release, an unreadable previous one."""


@dataclass
class Changes:
    """What changed since the previous release (everything is added in a first release)."""

    previous: str | None
    terms_added: list[str]
    terms_removed: list[str]
    graphs: list[GraphDiff]
    text: str
    """The statements removed and added, per graph and subject, as ``stancekb diff`` writes them."""

    def summary(self) -> dict[str, object]:
        """The changes as JSON: terms by IRI, and counts of statements per graph."""
        return {
            "previous": self.previous,
            "terms": {"added": self.terms_added, "removed": self.terms_removed},
            "graphs": {str(c.graph): {"added": len(c.added), "removed": len(c.removed)} for c in self.graphs},
        }


@dataclass(frozen=True)
class Release:
    """A release written: its version, its folder and its changes."""

    version: str
    folder: Path
    changes: Changes


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key of versions: dot- or dash-separated parts, numbers by value and before words (1.10 > 1.9)."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"[.+_-]", version))


def previous_release(folder: Path, version: str) -> Path | None:
    """The release folder beside ``version``'s with the highest version below it, if any."""
    if not folder.is_dir():
        return None
    older = [
        entry
        for entry in folder.iterdir()
        if entry.is_dir() and (entry / MANIFEST).is_file() and version_key(entry.name) < version_key(version)
    ]
    return max(older, key=lambda entry: version_key(entry.name), default=None)


def versioned_ontology(version: str, prior: str | None = None, ontology: Graph | None = None) -> Graph:
    """A copy of the ontology with the version IRI, version info and prior version of a release."""
    graph = Graph()
    graph += ontology_graph() if ontology is None else ontology
    graph.set((ONTOLOGY_IRI, OWL.versionIRI, URIRef(f"{ONTOLOGY_IRI}/{version}")))
    graph.set((ONTOLOGY_IRI, OWL.versionInfo, Literal(version)))
    if prior is not None:
        graph.set((ONTOLOGY_IRI, OWL.priorVersion, URIRef(f"{ONTOLOGY_IRI}/{prior}")))
    return graph


def _graphs(nquads: Path) -> dict[URIRef, Graph]:
    """The named graphs of an N-Quads dump, less the description graph (its counts change with everything)."""
    return {name: graph for name, graph in read_version(str(nquads)).items() if name != VOID_GRAPH}


def compare(previous: Path | None, ontology: Graph, nquads: Path) -> Changes:
    """The changes from the release in ``previous`` (None: a first release) to this ontology and N-Quads dump."""
    old_terms: set[str] = set()
    old_graphs: dict[URIRef, Graph] = {}
    if previous is not None:
        try:
            old_terms = {str(t) for t in terms(Graph().parse(previous / "ontology.ttl", format="turtle"))}
            old_graphs = _graphs(previous / "dumps" / f"{DUMP_STEM}.nq")
        except (OSError, SyntaxError, ValueError) as error:
            raise ReleaseError(f"the previous release in {previous} cannot be read: {error}") from None
    new_terms = {str(t) for t in terms(ontology)}
    new_graphs = _graphs(nquads)
    changes, names = diff(old_graphs, new_graphs)
    return Changes(
        previous=None if previous is None else previous.name,
        terms_added=sorted(new_terms - old_terms),
        terms_removed=sorted(old_terms - new_terms),
        graphs=changes,
        text=render(changes, old_graphs, new_graphs, names),
    )


def change_log(version: str, changes: Changes) -> str:
    """The change log in Markdown."""
    since = f"since {changes.previous}" if changes.previous else "(first release: everything is new)"
    lines = [f"# StanceKB {version}", "", f"Changes {since}.", "", "## Ontology terms", ""]
    for word, listed in (("Added", changes.terms_added), ("Removed", changes.terms_removed)):
        lines.append(f"{word}: {len(listed)}" + (":" if listed else "."))
        lines += [f"- <{term}>" for term in listed]
        lines.append("")
    lines += ["## Statements per graph", ""]
    if changes.graphs:
        lines += ["| graph | added | removed |", "|---|---:|---:|"]
        lines += [f"| <{c.graph}> | {len(c.added)} | {len(c.removed)} |" for c in changes.graphs]
        if changes.previous:  # a first release would list every statement
            lines += ["", "A statement is a triple, its blank nodes written out (see `stancekb diff`).", "", "```"]
            lines += [changes.text.rstrip("\n"), "```"]
    else:
        lines.append("No statement was added or removed.")
    return "\n".join(lines) + "\n"


def _files(root: Path) -> dict[str, dict[str, object]]:
    return {
        path.relative_to(root).as_posix(): {
            "bytes": path.stat().st_size,
            "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        }
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def release(
    store: Store,
    version: str,
    folder: Path,
    *,
    base_url: str,
    previous: Path | None = None,
    ontology: Graph | None = None,
) -> Release:
    """Write release ``version`` of the store's content and of the ontology into ``folder/version``.

    ``ontology`` defaults to ``ontology_graph()``; ``previous`` is the release to compare with (default:
    ``previous_release``). Raises ``ReleaseError`` for a bad version, an existing release or a bad previous one.
    """
    if not VERSION.fullmatch(version):
        raise ReleaseError(f"{version!r} is not a version: use letters, digits and . + _ - (such as 1.0.0)")
    target = folder / version
    if target.exists():
        raise ReleaseError(f"release {version} exists already in {target}: a release is never overwritten")
    previous = previous if previous is not None else previous_release(folder, version)
    if previous is not None and not (previous / MANIFEST).is_file():
        raise ReleaseError(f"{previous} is not a release folder: it has no {MANIFEST}")
    graph = versioned_ontology(version, previous.name if previous else None, ontology)
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=folder))
    try:
        for file_name, format_name in ONTOLOGY_FILES.items():
            triples = (ox_quad((s, p, o, None)) for s, p, o in graph)
            (staging / file_name).write_bytes(serialise(triples, format_name))
        graphs = [g for g in store.named_graphs() if has_dump_path(g)]
        for graph_iri in (None, VOID_GRAPH, *graphs):
            quads = dump_quads(store, graph_iri, base_url=base_url, version=version)
            for name in FORMATS if graph_iri is None else GRAPH_FORMATS:
                path = staging / dump_path(name, graph_iri).lstrip("/")
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(serialise(quads, name))
        shutil.copyfile(staging / dump_path("turtle", VOID_GRAPH).lstrip("/"), staging / "void.ttl")
        write_docs(staging / "docs", graph)
        changes = compare(previous, graph, staging / dump_path("nquads").lstrip("/"))
        (staging / "CHANGES.md").write_text(change_log(version, changes), encoding="utf-8")
        (staging / "changes.json").write_text(json.dumps(changes.summary(), indent=2) + "\n", encoding="utf-8")
        manifest = {"version": version, "previous": changes.previous, "files": _files(staging)}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        staging.rename(target)  # atomic on one file system; fails if the target appeared meanwhile
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Release(version, target, changes)

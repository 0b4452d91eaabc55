"""The files shipped inside the package (ontology, shapes, KB data, queries), reached through importlib.resources."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from rdflib import Graph


def _ttl_files(package: str, *, suffixes: tuple[str, ...] = (".ttl",), recursive: bool = False) -> list[Traversable]:
    """The data files of a package folder, sorted by name (sub-folders too when ``recursive``)."""
    found: list[Traversable] = []
    pending = [files(package)]
    while pending:
        folder = pending.pop()
        for entry in folder.iterdir():
            if entry.is_file() and entry.name.endswith(suffixes):
                found.append(entry)
            elif recursive and entry.is_dir() and not entry.name.startswith(("_", ".")):
                pending.append(entry)
    return sorted(found, key=lambda entry: str(entry))


def ontology_files() -> list[Traversable]:
    """The core ontology and every module under ontology/modules."""
    return _ttl_files("stancekb.ontology", recursive=True)


def shapes_files() -> list[Traversable]:
    """The SHACL shapes files."""
    return _ttl_files("stancekb.shapes")


def kb_files() -> list[Traversable]:
    """The knowledge base's data files: the reference graph and one file per source."""
    return _ttl_files("stancekb.data", suffixes=(".trig", ".ttl"), recursive=True)


def query_files() -> list[Traversable]:
    """The competency questions, as SPARQL files."""
    return _ttl_files("stancekb.queries", suffixes=(".rq",))


def qc_files() -> list[Traversable]:
    """The ontology quality rules: SPARQL queries named ``*-violation.rq`` that must return nothing."""
    return _ttl_files("stancekb.ontology.qc", suffixes=("-violation.rq",))


def _parse_turtle(entries: list[Traversable]) -> Graph:
    graph = Graph()
    for entry in entries:
        graph.parse(data=entry.read_text(encoding="utf-8"), format="turtle", publicID=f"file:///{entry.name}")
    return graph


@cache
def ontology_graph() -> Graph:
    """The ontology (core and modules) as one graph; parsed once a process, do not modify it."""
    return _parse_turtle(ontology_files())


@cache
def shapes_graph() -> Graph:
    """The SHACL shapes as one graph; parsed once a process, do not modify it."""
    return _parse_turtle(shapes_files())

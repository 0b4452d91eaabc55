"""The files shipped inside the package (ontology, shapes, KB data, queries), reached through importlib.resources."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable

from rdflib import Graph

from stancekb.modules import discover
from stancekb.rdfio import parse_file


def _ttl_files(
    package: str, *, suffixes: tuple[str, ...] = (".ttl",), recursive: bool = False, subfolder: str | None = None
) -> list[Traversable]:
    """The data files of a package folder (or of its ``subfolder``), sorted (sub-folders if ``recursive``)."""
    found: list[Traversable] = []
    pending = [files(package) if subfolder is None else files(package) / subfolder]
    while pending:
        folder = pending.pop()
        for entry in folder.iterdir():
            if entry.is_file() and entry.name.endswith(suffixes):
                found.append(entry)
            elif recursive and entry.is_dir() and not entry.name.startswith(("_", ".")):
                pending.append(entry)
    return sorted(found, key=lambda entry: str(entry))


def core_ontology_files() -> list[Traversable]:
    """The core ontology (ontology/*.ttl), without the modules."""
    return _ttl_files("stancekb.ontology")


def ontology_files() -> list[Traversable]:
    """The core ontology and the ontology of every module under ontology/modules (see stancekb.modules)."""
    return core_ontology_files() + [module.ontology for module in discover()]


def core_shapes_files() -> list[Traversable]:
    """The core's SHACL shapes (shapes/*.ttl), without the modules' shapes."""
    return _ttl_files("stancekb.shapes")


def shapes_files() -> list[Traversable]:
    """The core's SHACL shapes and every module's."""
    return core_shapes_files() + [shapes for module in discover() for shapes in module.shapes]


def core_kb_files() -> list[Traversable]:
    """The core knowledge base's data files (kb/data): the reference graph and one file per source."""
    return _ttl_files("stancekb.data", suffixes=(".trig", ".ttl"), recursive=True)


def kb_files() -> list[Traversable]:
    """The knowledge base's data files: the core's and every module's instance data."""
    return core_kb_files() + [data for module in discover() for data in module.data]


def query_files() -> list[Traversable]:
    """The competency questions, as SPARQL files."""
    return _ttl_files("stancekb.queries", suffixes=(".rq",))


def qc_files() -> list[Traversable]:
    """The ontology quality rules: SPARQL queries named ``*-violation.rq`` that must return nothing."""
    return _ttl_files("stancekb.ontology.qc", suffixes=("-violation.rq",))


def module_qc_files() -> list[Traversable]:
    """The quality rules for modules only (ontology/qc/modules), run over a dataset of core and module graphs."""
    return _ttl_files("stancekb.ontology.qc", suffixes=("-violation.rq",), subfolder="modules")


def parse_turtle(entries: list[Traversable]) -> Graph:
    """Turtle files parsed into one graph; one that does not parse raises ``RdfInputError`` (file, line, problem)."""
    graph = Graph()
    for entry in entries:
        for s, p, o, _ in parse_file(entry).quads((None, None, None, None)):
            graph.add((s, p, o))
    return graph


@cache
def ontology_graph() -> Graph:
    """The ontology (core and modules) as one graph; parsed once a process, do not modify it."""
    return parse_turtle(ontology_files())


@cache
def core_ontology_graph() -> Graph:
    """The core ontology alone, as one graph; parsed once a process, do not modify it."""
    return parse_turtle(core_ontology_files())


@cache
def core_shapes_graph() -> Graph:
    """The core's shapes alone, as one graph; parsed once a process, do not modify it."""
    return parse_turtle(core_shapes_files())


@cache
def shapes_graph() -> Graph:
    """The SHACL shapes (core and modules) as one graph; parsed once a process, do not modify it."""
    return parse_turtle(shapes_files())

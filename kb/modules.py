"""Ontology modules: their layout under ontology/modules, their discovery, and the catalog that resolves imports.

A module extends the core ontology (``ontology/stance.ttl``) with terms of its own. It is either a folder
``ontology/modules/NAME/`` holding

- ``NAME.ttl``: the module's ontology, IRI ``https://w3id.org/stancekb/ontology/modules/NAME``, its terms in
  the namespace of that IRI plus ``#``, importing the core with ``owl:imports``;
- ``catalog-v001.xml``: where the ontologies it imports are, as local files (an OASIS XML catalog,
  https://www.oasis-open.org/committees/download.php/14809/xml-catalogs.html, the format Protégé reads);
- ``shapes.ttl`` (optional): SHACL shapes for its classes;
- ``queries/*.rq`` with ``*.expected.json`` (optional): its competency questions and their answers;
- ``data/*.trig`` or ``data/*.ttl`` (optional): instance data it adds to the knowledge base;

or a single file ``ontology/modules/NAME.ttl`` (an ontology only), whose catalog is
``ontology/modules/catalog-v001.xml``. Imports are only ever read from the files a catalog names: nothing
is fetched from the network. docs/adding-a-module.md is the guide.
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from rdflib import OWL, RDF, Graph, Namespace, URIRef

from stancekb.rdfio import parse_file

MODULE_BASE = "https://w3id.org/stancekb/ontology/modules/"
"""A module named NAME has the IRI ``MODULE_BASE + NAME`` and the namespace ``MODULE_BASE + NAME + '#'``."""

CATALOG = "catalog-v001.xml"
"""The catalog's file name, next to the module's ontology (Protégé's convention)."""

SHAPES = "shapes.ttl"
QUERIES = "queries"
DATA = "data"
DATA_SUFFIXES = (".trig", ".ttl")

_CATALOG_NS = "{urn:oasis:names:tc:entity:xmlns:xml:catalog}"


class ModuleError(ValueError):
    """A module that cannot be read or resolved; the message names the module, the file and the problem."""


def _is_visible(entry: Traversable) -> bool:
    return not entry.name.startswith(("_", "."))


def _sorted_files(folder: Traversable, suffixes: tuple[str, ...]) -> tuple[Traversable, ...]:
    if not folder.is_dir():
        return ()
    found = [e for e in folder.iterdir() if e.is_file() and _is_visible(e) and e.name.endswith(suffixes)]
    return tuple(sorted(found, key=lambda entry: entry.name))


@dataclass(frozen=True)
class Catalog:
    """An OASIS XML catalog's ``uri`` entries: ontology IRI -> local file (relative to the catalog's folder)."""

    source: str
    entries: dict[URIRef, Traversable] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Traversable, folder: Traversable) -> Catalog:
        """Read a catalog file; relative ``uri`` values are resolved against ``folder``, the catalog's folder."""
        try:
            root = ET.fromstring(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ET.ParseError) as error:
            raise ModuleError(f"{path}: not a readable XML catalog ({error})") from None
        if root.tag != f"{_CATALOG_NS}catalog":
            raise ModuleError(f'{path}: the root element must be <catalog xmlns="{_CATALOG_NS[1:-1]}">')
        entries = {}
        for element in root.iter(f"{_CATALOG_NS}uri"):
            name, target = element.get("name"), element.get("uri")
            if not name or not target:
                raise ModuleError(f"{path}: a <uri> entry needs both a name and a uri attribute")
            entries[URIRef(name)] = _local_file(folder, target, str(path), name)
        return cls(source=str(path), entries=entries)

    def resolve(self, iri: URIRef) -> Traversable:
        """The local file of an ontology IRI; a ModuleError if the catalog does not map it."""
        if iri not in self.entries:
            raise ModuleError(
                f"{self.source}: no <uri> entry maps the import <{iri}> to a local file "
                "(imports are never fetched from the network)"
            )
        return self.entries[iri]


def _local_file(folder: Traversable, target: str, source: str, name: str) -> Traversable:
    """The file a catalog entry names: a ``file:`` URI, or a path relative to the catalog's folder."""
    scheme = urlsplit(target).scheme
    if scheme == "file":
        return Path(url2pathname(urlsplit(target).path))
    if scheme:
        raise ModuleError(f'{source}: <uri name="{name}"> must map to a local file, not to {target}')
    return _relative(folder, target, source)


def _relative(folder: Traversable, target: str, source: str) -> Traversable:
    """``folder/target`` for a relative path that may climb with ``..`` (resolved on the file system)."""
    normal = posixpath.normpath(target)
    if normal.startswith("/"):
        raise ModuleError(f"{source}: {target} must be a path relative to the catalog")
    entry = folder
    for part in normal.split("/"):
        entry = _parent(entry, source) if part == ".." else entry / part
    return entry


def _parent(entry: Traversable, source: str) -> Traversable:
    parent = getattr(entry, "parent", None)
    if parent is None:
        raise ModuleError(f"{source}: cannot climb out of {entry} with '..' in this installation")
    return parent  # type: ignore[no-any-return]


def declared_ontologies(graph: Graph) -> set[URIRef]:
    """The IRIs and version IRIs of the ontologies a graph declares."""
    found: set[URIRef] = set()
    for ontology in graph.subjects(RDF.type, OWL.Ontology):
        if isinstance(ontology, URIRef):
            found.add(ontology)
            found.update(v for v in graph.objects(ontology, OWL.versionIRI) if isinstance(v, URIRef))
    return found


def with_imports(ontology: Graph, catalog: Catalog) -> Graph:
    """The ontology and every ontology it imports, transitively, each read from the file the catalog maps it to."""
    closure = Graph() + ontology
    known = declared_ontologies(closure)
    pending = [iri for iri in closure.objects(None, OWL.imports) if isinstance(iri, URIRef)]
    while pending:
        iri = pending.pop()
        if iri in known:
            continue
        path = catalog.resolve(iri)
        imported = Graph()
        for s, p, o, _ in parse_file(path).quads((None, None, None, None)):
            imported.add((s, p, o))
        if iri not in declared_ontologies(imported):
            raise ModuleError(f"{catalog.source}: maps <{iri}> to {path}, which declares no ontology of that IRI")
        closure += imported
        known |= declared_ontologies(imported)
        pending += [i for i in imported.objects(None, OWL.imports) if isinstance(i, URIRef)]
    return closure


@dataclass(frozen=True)
class Module:
    """One module: its name, its ontology file, its catalog, and its optional shapes, data and questions."""

    name: str
    ontology: Traversable
    catalog_file: Traversable
    shapes: tuple[Traversable, ...] = ()
    data: tuple[Traversable, ...] = ()
    queries: tuple[Traversable, ...] = ()

    @property
    def iri(self) -> URIRef:
        """The IRI the module's ontology must have."""
        return URIRef(MODULE_BASE + self.name)

    @property
    def namespace(self) -> Namespace:
        """The namespace of the module's terms."""
        return Namespace(f"{self.iri}#")

    def catalog(self) -> Catalog:
        """The module's catalog (an empty one if the file is missing: every import is then unresolved)."""
        if not self.catalog_file.is_file():
            return Catalog(source=f"{self.catalog_file} (missing)")
        folder = _parent(self.catalog_file, str(self.catalog_file))
        return Catalog.read(self.catalog_file, folder)

    def files(self) -> tuple[Traversable, ...]:
        """Every RDF file of the module: ontology, shapes, data."""
        return (self.ontology, *self.shapes, *self.data)


def module_at(entry: Traversable) -> Module:
    """The module in a folder ``NAME/`` (see the layout above) or in a single file ``NAME.ttl``."""
    if entry.is_file():
        if not entry.name.endswith(".ttl"):
            raise ModuleError(f"{entry}: a single-file module is a Turtle file NAME.ttl")
        return Module(name=entry.name.removesuffix(".ttl"), ontology=entry, catalog_file=_sibling(entry, CATALOG))
    if not entry.is_dir():
        raise ModuleError(f"{entry}: no such module folder or file")
    name = entry.name
    ontology = entry / f"{name}.ttl"
    if not ontology.is_file():
        raise ModuleError(f"{entry}: a module folder must hold its ontology as {name}.ttl")
    shapes = entry / SHAPES
    return Module(
        name=name,
        ontology=ontology,
        catalog_file=entry / CATALOG,
        shapes=(shapes,) if shapes.is_file() else (),
        data=_sorted_files(entry / DATA, DATA_SUFFIXES),
        queries=_sorted_files(entry / QUERIES, (".rq",)),
    )


def _sibling(entry: Traversable, name: str) -> Traversable:
    return _parent(entry, str(entry)) / name


def modules_folder() -> Traversable:
    """The packaged modules' folder, ontology/modules."""
    return files("stancekb.ontology") / "modules"


def discover(folder: Traversable | None = None) -> list[Module]:
    """The modules in a folder (default: the packaged ontology/modules), sorted by name."""
    folder = folder or modules_folder()
    if not folder.is_dir():
        return []
    entries = [
        entry
        for entry in folder.iterdir()
        if _is_visible(entry) and (entry.is_dir() or (entry.is_file() and entry.name.endswith(".ttl")))
    ]
    return [module_at(entry) for entry in sorted(entries, key=lambda entry: entry.name)]

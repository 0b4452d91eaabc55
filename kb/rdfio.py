"""Read RDF files and bytes into rdflib Datasets, with Oxigraph's parsers for speed and exact error places.

Formats are chosen by file extension (``EXTENSIONS``) or media type. Every failure is an ``RdfInputError``
whose message is one line naming the input, the line and column, and the problem. JSON-LD is parsed without
a document loader, so a remote ``@context`` is refused, never fetched (https://www.w3.org/TR/json-ld11-api/).
"""

from __future__ import annotations

import re
from importlib.resources.abc import Traversable
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from stancekb.store import MAX_NESTING, StoreError, from_ox

EXTENSIONS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}
"""The file extensions StanceKB reads, and the RDF format of each."""


class RdfInputError(ValueError):
    """RDF input that cannot be read or parsed; ``str()`` is one line: ``source:line:column: problem``."""

    def __init__(self, source: str, problem: str, line: int | None = None, column: int | None = None) -> None:
        self.source = source
        self.problem = problem
        self.line = line
        self.column = column
        place = "".join(f":{n}" for n in (line, column) if n is not None)
        super().__init__(f"{source}{place}: {problem}")


def rdf_format(name: str, source: str = "<input>") -> ox.RdfFormat:
    """The RDF format a file name (by extension) or a media type names."""
    fmt = EXTENSIONS.get(Path(name).suffix.lower()) if "/" not in name else ox.RdfFormat.from_media_type(name)
    if fmt is None:
        known = " ".join(EXTENSIONS)
        raise RdfInputError(source, f"unknown RDF format {name!r}: use one of the extensions {known}")
    return fmt


def parse_bytes(data: bytes, fmt: ox.RdfFormat, source: str = "<input>", base_iri: str | None = None) -> Dataset:
    """Parse serialised RDF into a new Dataset; triples outside any named graph go to its default graph.

    Without ``base_iri`` a relative IRI is an error: data meant for the knowledge base should not depend on
    where a file happens to lie. Blank nodes are renamed so that inputs parsed apart never share one.
    """
    refuse_hostile_input(data, fmt, source)
    dataset = Dataset()
    try:
        quads = ox.parse(data, fmt, base_iri=base_iri, rename_blank_nodes=True)
        dataset.addN(
            (from_ox(q.subject), from_ox(q.predicate), from_ox(q.object), from_ox(q.graph_name))  # type: ignore[misc]
            for q in quads
        )
    except SyntaxError as error:
        raise syntax_error(source, error) from None
    except StoreError as error:  # a term rdflib cannot hold, such as an RDF 1.2 triple term
        raise RdfInputError(source, str(error)) from None
    return dataset


def parse_file(path: Path | Traversable, fmt: ox.RdfFormat | None = None) -> Dataset:
    """Parse an RDF file, its format given or taken from its extension (see ``EXTENSIONS``)."""
    source = str(path)
    fmt = fmt or rdf_format(path.name, source)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RdfInputError(source, f"cannot read the file: {error.strerror or error}") from None
    return parse_bytes(data, fmt, source)


def refuse_hostile_input(data: bytes, fmt: ox.RdfFormat, source: str) -> None:
    """Refuse, before Oxigraph parses it, input that would blow up the parser: entity bombs, deep JSON."""
    if fmt == ox.RdfFormat.RDF_XML:
        _refuse_entity_expansion(data, source)
    elif fmt == ox.RdfFormat.JSON_LD:
        _refuse_deep_json(data, source)


_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _refuse_deep_json(data: bytes, source: str) -> None:
    """Refuse JSON whose brackets nest deeper than ``MAX_NESTING`` outside strings.

    Oxigraph's JSON-LD parser recurses on nested objects and overflows the stack (a segmentation fault, at
    about 4,000 levels on an 8 MB stack); its JSON reader alone stops at 65,536.
    """
    depth = 0
    for match in _JSON_TOKENS.finditer(data):
        token = match.group()
        if token in (b"{", b"["):
            depth += 1
            if depth > MAX_NESTING:
                line = data.count(b"\n", 0, match.start()) + 1
                raise RdfInputError(source, f"JSON nests more than {MAX_NESTING} deep: the most StanceKB reads", line)
        elif token in (b"}", b"]"):
            depth -= 1


_ENTITY = re.compile(rb"""<!ENTITY\s+(%\s*)?([^\s"'>]+)\s+(?:"([^"]*)"|'([^']*)')""")
_ENTITY_REFERENCE = re.compile(rb"&[^#]|%")
MAX_EXPANSION = 10
"""How many times its own size (plus 1 MB) an RDF/XML document's entities may expand it to."""


def _refuse_entity_expansion(data: bytes, source: str) -> None:
    """Refuse RDF/XML whose internal entities could expand without bound (a "billion laughs").

    Entities defined in terms of other entities, and parameter entities, are refused; plain entities (such as
    the namespace abbreviations ontology editors write) are allowed as long as expanding every reference
    keeps the document within ``MAX_EXPANSION`` times its size. External entities are refused by the parser.
    """
    if b"<!ENTITY" not in data:
        return
    expanded = len(data)
    for match in _ENTITY.finditer(data):
        parameter, name, value = match.group(1), match.group(2), match.group(3) or match.group(4) or b""
        if parameter or _ENTITY_REFERENCE.search(value):
            shown = name.decode("utf-8", "replace")
            raise RdfInputError(source, f"entity {shown!r} is defined with other entities: nested entities are refused")
        expanded += data.count(b"&" + name + b";") * len(value)
    if expanded > MAX_EXPANSION * len(data) + 1_000_000:
        raise RdfInputError(source, f"its entities would expand it to {expanded} bytes: refused")


def syntax_error(source: str, error: SyntaxError) -> RdfInputError:
    """Turn Oxigraph's "Parser error at line L between columns A and B: problem" into an RdfInputError."""
    message = str(error.msg if error.msg else error)
    if message.startswith("Parser error at "):
        message = message.split(": ", 1)[-1]
    return RdfInputError(source, message.splitlines()[0], error.lineno, error.offset)

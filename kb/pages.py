"""Server-rendered HTML shared by the resource pages (``stancekb.publish``) and the ontology docs (``ontodocs``).

Every text that comes from data goes through ``esc`` (``html.escape`` with quotes), every link through ``link``;
a page is one self-contained document: its style is inline and it loads nothing from anywhere.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping

from rdflib import RDFS, BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS
from rdflib.term import Node

from stancekb.namespaces import PREFIXES, SCHEMA

LABEL_PROPERTIES: tuple[URIRef, ...] = (SKOS.prefLabel, RDFS.label, DCTERMS.title, SCHEMA.name)
"""The properties a node's display label is read from, best first."""

STYLE = """
body{font:16px/1.5 system-ui,sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
h1{font-size:1.7rem;margin-bottom:.2rem} h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
h3{font-size:1.05rem;margin-bottom:.3rem} code{font-size:.9em;background:#f3f4f6;padding:0 .2em;border-radius:3px}
table{border-collapse:collapse;width:100%} th,td{text-align:left;vertical-align:top;padding:.3rem .5rem;
border-bottom:1px solid #e5e7eb} th{width:16rem;font-weight:600} blockquote{margin:.5rem 0;padding:.4rem 1rem;
border-left:4px solid #6b7280;background:#f9fafb;font-size:1.05rem} .meta{color:#57606a;font-size:.9rem}
.term{margin-bottom:1.6rem} nav ul{columns:3} a{color:#0550ae} svg{max-width:100%;height:auto}
"""


def esc(text: object) -> str:
    """Text escaped for HTML content and attribute values."""
    return html.escape(str(text), quote=True)


def page(title: str, body: str, *, lang: str = "en") -> str:
    """A complete HTML document: ``title`` is escaped here, ``body`` must already be HTML."""
    return (
        f'<!DOCTYPE html>\n<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{esc(title)}</title>\n'
        f"<style>{STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def curie(iri: str) -> str:
    """``prefix:local`` for an IRI in one of the project's namespaces, else the IRI itself."""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def best_label(labels: Iterable[Literal | str]) -> str | None:
    """The English (or untagged) label if there is one, else the first in code point order."""
    candidates = sorted(labels, key=lambda label: (getattr(label, "language", None) not in (None, "en"), str(label)))
    return str(candidates[0]) if candidates else None


def link(href: str | None, text: str, *, title: str | None = None) -> str:
    """An ``<a>`` element (plain escaped text without ``href``); ``text`` is escaped here."""
    attributes = f' title="{esc(title)}"' if title else ""
    return f'<a href="{esc(href)}"{attributes}>{esc(text)}</a>' if href else f"<span{attributes}>{esc(text)}</span>"


def literal_html(literal: Literal) -> str:
    """A literal's text with its language tag or datatype, escaped; line breaks kept."""
    text = esc(literal).replace("\n", "<br>")
    if literal.language:
        return f'<span lang="{esc(literal.language)}">{text}</span> <span class="meta">@{esc(literal.language)}</span>'
    if literal.datatype is not None:
        return f'{text} <span class="meta">({esc(curie(str(literal.datatype)))})</span>'
    return text


def node_html(
    node: Node,
    labels: Mapping[Node, str],
    href: Callable[[URIRef], str | None],
    blank: Callable[[BNode], str] | None = None,
) -> str:
    """A node as HTML: an IRI as a link labelled from ``labels`` (its CURIE otherwise), a literal as text.

    ``href`` gives the link target of an IRI (for KB IRIs: the server's page); ``blank`` renders a blank node.
    """
    if isinstance(node, URIRef):
        label = labels.get(node)
        return link(href(node) or str(node), label or curie(str(node)), title=str(node))
    if isinstance(node, Literal):
        return literal_html(node)
    if isinstance(node, BNode) and blank is not None:
        return blank(node)
    return '<span class="meta">(a blank node)</span>'


def labels_of(triples: Iterable[tuple[Node, Node, Node]]) -> dict[Node, str]:
    """Each subject's display label: its best label by the first of ``LABEL_PROPERTIES`` it has."""
    found: dict[Node, dict[Node, list[Literal]]] = {}
    for s, p, o in triples:
        if p in LABEL_PROPERTIES and isinstance(o, Literal):
            found.setdefault(s, {}).setdefault(p, []).append(o)
    labels = {}
    for node, by_property in found.items():
        predicate = next(p for p in LABEL_PROPERTIES if p in by_property)
        labels[node] = best_label(by_property[predicate]) or ""
    return labels

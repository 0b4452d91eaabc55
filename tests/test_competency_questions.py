"""The competency questions (kb/queries/*.rq) give their expected answers over the packaged KB, on every backend.

Each question's expected rows live beside it in ``NN-name.expected.json``; values are written as prefixed
names (IRIs) or lexical forms (literals), and rows are compared as multisets.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from importlib.resources.abc import Traversable

import pytest
from rdflib import Literal, URIRef
from rdflib.term import Node
from virtuoso import empty

from stancekb.load import load_packaged_kb
from stancekb.namespaces import PREFIXES, RESOURCE
from stancekb.remote import RemoteStore
from stancekb.resources import query_files
from stancekb.store import Store, open_store

COMPACT = {**PREFIXES, "rsa": f"{RESOURCE}rutte-stands-alone-new-nato/"}


def compact(term: Node) -> str:
    """A prefixed name for an IRI under a known namespace (longest match), else the lexical form."""
    if isinstance(term, URIRef):
        matches = [(len(ns), f"{prefix}:{term[len(ns) :]}") for prefix, ns in COMPACT.items() if term.startswith(ns)]
        return max(matches)[1] if matches else str(term)
    assert isinstance(term, Literal), term
    return str(term)


@pytest.fixture(scope="module", params=["memory:", "oxigraph:", "sparql:"])
def kb_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """A store of each backend holding the packaged KB (``sparql:``: the session's Virtuoso, emptied first)."""
    if request.param == "sparql:":
        store: Store = empty(RemoteStore(request.getfixturevalue("virtuoso").location))
    else:
        store = open_store(request.param)
    report = load_packaged_kb(store)
    assert report.committed, report.validation.text()
    yield store
    store.close()


QUESTIONS = query_files()
VIRTUOSO_BOOLEANS = {"1": "true", "0": "false"}


def as_booleans(row: frozenset[tuple[str, str]], expected: list[dict[str, str]]) -> frozenset[tuple[str, str]]:
    """Virtuoso gives a boolean expression's value (``BIND(EXISTS {...} AS ?x)``) as the integer 1 or 0: read
    it back as a boolean in the columns whose expected values are all booleans."""
    booleans = {
        name for name in {n for r in expected for n in r} if all(r.get(name) in {"true", "false"} for r in expected)
    }
    return frozenset((name, VIRTUOSO_BOOLEANS.get(value, value) if name in booleans else value) for name, value in row)


def test_there_are_at_least_fifteen_questions() -> None:
    assert len(QUESTIONS) >= 15


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda entry: entry.name.removesuffix(".rq"))
def test_question_gives_expected_answer(kb_store: Store, question: Traversable) -> None:
    text = question.read_text(encoding="utf-8")
    assert text.startswith("# Question: "), "each question file starts with the question in words"
    expected_file = question.parent / question.name.replace(".rq", ".expected.json")
    expected = json.loads(expected_file.read_text(encoding="utf-8"))["rows"]
    result = kb_store.query(text)
    assert result.kind == "select"
    got = Counter(frozenset((name, compact(value)) for name, value in row.items()) for row in result.rows)
    if isinstance(kb_store, RemoteStore):
        got = Counter({as_booleans(row, expected): count for row, count in got.items()})
    want = Counter(frozenset(row.items()) for row in expected)
    assert got == want, f"missing: {list(want - got)}\nunexpected: {list(got - want)}"

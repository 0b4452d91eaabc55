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

from stancekb.load import load_packaged_kb
from stancekb.namespaces import PREFIXES, RESOURCE
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


@pytest.fixture(scope="module", params=["memory:", "oxigraph:"])
def kb_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """A store of each in-memory backend holding the packaged KB."""
    store = open_store(request.param)
    report = load_packaged_kb(store)
    assert report.committed, report.validation.text()
    yield store
    store.close()


QUESTIONS = query_files()


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
    want = Counter(frozenset(row.items()) for row in expected)
    assert got == want, f"missing: {list(want - got)}\nunexpected: {list(got - want)}"

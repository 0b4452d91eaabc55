"""The SHACL gate: validate data with pySHACL against the project's shapes, with the ontology mixed in.

The report names, for every result, the focus node, the path, the value, the shape and the constraint
component, so that a person can find and fix the offending statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from pyshacl import validate as pyshacl_validate
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from stancekb.resources import ontology_graph, shapes_graph

SH = Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True)
class Violation:
    """One SHACL validation result (https://www.w3.org/TR/shacl/#results-validation-result)."""

    focus_node: Node
    result_path: Node | None
    value: Node | None
    source_shape: Node
    constraint: URIRef
    severity: URIRef
    message: str

    def describe(self, graph: Graph | None = None) -> str:
        """A one-line description: severity, focus node, path, constraint component, message."""

        def show(node: Node | None) -> str:
            if node is None:
                return "-"
            if graph is not None and isinstance(node, URIRef):
                return node.n3(graph.namespace_manager)
            return node.n3()

        severity = str(self.severity).rsplit("#", 1)[-1]
        constraint = str(self.constraint).rsplit("#", 1)[-1]
        return (
            f"{severity}: {show(self.focus_node)} path {show(self.result_path)}: {self.message} "
            f"[{constraint} in shape {show(self.source_shape)}]"
        )


@dataclass
class ValidationReport:
    """The outcome of a validation: whether the data conforms, its results, and the standard report graph."""

    conforms: bool
    violations: list[Violation]
    report_graph: Graph

    def text(self, data: Graph | None = None) -> str:
        """A readable report, one line per result."""
        if self.conforms and not self.violations:
            return "conforms: no SHACL violation"
        lines = [f"{len(self.violations)} SHACL result(s):"]
        lines += [f"  {violation.describe(data)}" for violation in self.violations]
        return "\n".join(lines)


def union_graph(data: Graph | Dataset | Iterable[Graph]) -> Graph:
    """One graph holding the triples of every graph given (named graphs of a Dataset are merged)."""
    union = Graph()
    for part in [data] if isinstance(data, Graph) else data:
        if isinstance(part, Dataset):
            for s, p, o, _ in part.quads((None, None, None, None)):
                union.add((s, p, o))
        else:
            for triple in part:
                union.add(triple)
    return union


def _violations(report: Graph) -> list[Violation]:
    found = []
    # Only the report's own results: nested sh:detail results (under sh:node) would count one mistake twice.
    for result in report.objects(None, SH.result):
        message = report.value(result, SH.resultMessage)
        found.append(
            Violation(
                focus_node=report.value(result, SH.focusNode),  # type: ignore[arg-type]
                result_path=report.value(result, SH.resultPath),
                value=report.value(result, SH.value),
                source_shape=report.value(result, SH.sourceShape),  # type: ignore[arg-type]
                constraint=report.value(result, SH.sourceConstraintComponent),  # type: ignore[arg-type]
                severity=report.value(result, SH.resultSeverity),  # type: ignore[arg-type]
                message=str(message) if isinstance(message, Literal) else "",
            )
        )
    return sorted(found, key=lambda v: (str(v.focus_node), str(v.result_path), str(v.constraint)))


@lru_cache(maxsize=8)
def _working_copy(shapes: Graph) -> Graph:
    """A copy of a shapes graph for pySHACL, which adds triples of its own to it (the same ones at every run)."""
    return Graph() + shapes


def validate_shacl(
    data: Graph | Dataset | Iterable[Graph],
    shapes: Graph | None = None,
    ontology: Graph | None = None,
) -> ValidationReport:
    """Validate the union of the data against the shapes (default: the project's), the ontology mixed in.

    The ontology is added to the data graph here rather than through pySHACL's ``ont_graph``, whose
    node-by-node "inoculation" takes minutes on an ontology with many RDF lists.
    """
    data_graph = union_graph(data)
    for triple in ontology if ontology is not None else ontology_graph():
        data_graph.add(triple)
    conforms, report_graph, _ = pyshacl_validate(
        data_graph,
        shacl_graph=_working_copy(shapes if shapes is not None else shapes_graph()),
        inference="none",
        advanced=True,
        inplace=True,
    )
    return ValidationReport(conforms=bool(conforms), violations=_violations(report_graph), report_graph=report_graph)

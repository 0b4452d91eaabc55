"""The SHACL shapes (shapes/stance.shacl.ttl): well-formed, exercised, each one caught by its own example.

- tests/data/shapes_baseline.trig is a small, complete, valid dataset; it must conform.
- Each file of tests/data/invalid is a delta: the baseline plus that file's triples must be reported by
  exactly the results the file declares in its graph skbt:expected (focus node and source shape), no more
  and no fewer. tests/data/README.md describes the convention.
- Every shape that can report a result has at least one such file, and the baseline gives every shape
  something to check.
- The packaged KB (kb/data) conforms.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from pyshacl import validate as pyshacl_validate
from rdflib import RDF, RDFS, Dataset, Graph, Namespace
from rdflib.extras.shacl import parse_shacl_path
from rdflib.term import BNode, Node

from stancekb.load import read_graphs
from stancekb.resources import core_shapes_graph, kb_files, ontology_graph
from stancekb.validate import ValidationReport, validate_shacl

SH = Namespace("http://www.w3.org/ns/shacl#")
SKBSH = Namespace("https://w3id.org/stancekb/shapes#")
SKBT = Namespace("https://w3id.org/stancekb/test#")
EXPECTED_GRAPH = SKBT.expected

DATA = Path(__file__).parent / "data"
BASELINE = DATA / "shapes_baseline.trig"
INVALID = DATA / "invalid"
INVALID_FILES = sorted(INVALID.glob("*.trig"))

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
# Parameters of a shape that are not constraints of its own (targets, nesting, annotations).
NOT_CONSTRAINTS = {
    *TARGETS,
    SH.property,
    SH.name,
    SH.description,
    SH.message,
    SH.severity,
    SH.deactivated,
    SH.order,
    SH.group,
    SH.path,
}


@dataclass(frozen=True)
class InvalidCase:
    """One file of tests/data/invalid: triples to add to the baseline, and the results they must cause."""

    path: Path
    data: Graph
    expected: frozenset[tuple[Node, Node]]

    @property
    def shapes(self) -> set[Node]:
        return {shape for _, shape in self.expected}


@cache
def load_case(path: Path) -> InvalidCase:
    dataset = Dataset()
    dataset.parse(path, format="trig")
    data = Graph()
    expected: set[tuple[Node, Node]] = set()
    for graph in dataset.graphs():
        if graph.identifier == EXPECTED_GRAPH:
            for result in graph.subjects(RDF.type, SH.ValidationResult):
                focus = graph.value(result, SH.focusNode)
                shape = graph.value(result, SH.sourceShape)
                assert focus is not None and shape is not None, f"{path.name}: incomplete expected result"
                expected.add((focus, shape))
        else:
            for triple in graph:
                data.add(triple)
    return InvalidCase(path=path, data=data, expected=frozenset(expected))


@cache
def baseline() -> Graph:
    """The baseline's triples, all graphs merged (as the gate merges them)."""
    dataset = Dataset()
    dataset.parse(BASELINE, format="trig")
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


@cache
def shapes() -> Graph:
    """The core's shapes (the modules' shapes are checked with their modules, tests/test_modules.py)."""
    return core_shapes_graph()


def show(report: ValidationReport, data: Graph) -> str:
    data.bind("t", "https://w3id.org/stancekb/id/test/")
    data.bind("skbsh", str(SKBSH))
    return report.text(data)


def targeted_shapes() -> set[Node]:
    """The shapes with a target: node shapes, and property shapes that apply wherever a property is used."""
    return {shape for target in TARGETS for shape in shapes().subjects(target, None)}


def is_property_shape(shape: Node) -> bool:
    return shapes().value(shape, SH.path) is not None


def property_shapes(shape: Node) -> set[Node]:
    return set(shapes().objects(shape, SH.property))


def has_own_constraints(shape: Node) -> bool:
    return any(p not in NOT_CONSTRAINTS and str(p).startswith(str(SH)) for p in shapes().predicates(shape))


def own_shapes(shape: Node) -> set[Node]:
    """The shapes that report the results of a targeted shape: itself and/or its property shapes."""
    if is_property_shape(shape):
        return {shape}
    return property_shapes(shape) | ({shape} if has_own_constraints(shape) else set())


def reportable_shapes() -> set[Node]:
    """Every shape that pySHACL can name as sh:sourceShape."""
    return set().union(*(own_shapes(shape) for shape in targeted_shapes()))


def instances_of(cls: Node, data: Graph) -> set[Node]:
    """The SHACL instances of a class: rdf:type, then rdfs:subClassOf* (https://www.w3.org/TR/shacl/#dfn-shacl-instance)."""
    query = "SELECT ?x WHERE { ?x rdf:type/rdfs:subClassOf* ?class }"
    rows = data.query(query, initNs={"rdf": RDF, "rdfs": RDFS}, initBindings={"class": cls})  # type: ignore[dict-item]
    return {row[0] for row in rows}  # type: ignore[index]


def focus_nodes(shape: Node, data: Graph) -> set[Node]:
    """The focus nodes of a shape's core targets in the data (SPARQL targets are left out)."""
    found: set[Node] = set()
    for cls in shapes().objects(shape, SH.targetClass):
        found |= instances_of(cls, data)
    for prop in shapes().objects(shape, SH.targetSubjectsOf):
        found |= set(data.subjects(prop, None))
    for prop in shapes().objects(shape, SH.targetObjectsOf):
        found |= set(data.objects(None, prop))
    found |= set(shapes().objects(shape, SH.targetNode))
    return found


def has_value(shape: Node, foci: set[Node], data: Graph) -> bool:
    """Whether the property shape's path has a value on one of the focus nodes."""
    path = parse_shacl_path(shapes(), shapes().value(shape, SH.path))  # type: ignore[arg-type]
    return any(next(iter(data.objects(focus, path)), None) is not None for focus in foci)


@cache
def baseline_with_ontology() -> Graph:
    graph = Graph()
    for triple in baseline():
        graph.add(triple)
    for triple in ontology_graph():
        graph.add(triple)
    return graph


# ---------------------------------------------------------------------------------------------
# The shapes themselves
# ---------------------------------------------------------------------------------------------


def test_shapes_graph_is_well_formed_shacl() -> None:
    """pySHACL's meta-validation (SHACL-SHACL) of the shapes graph raises if a shape is ill-formed."""
    conforms, _, text = pyshacl_validate(Graph(), shacl_graph=shapes(), meta_shacl=True, advanced=True)
    assert conforms, text


def test_every_shape_is_named_and_tells_what_to_fix() -> None:
    problems = []
    for shape in targeted_shapes():
        if not is_property_shape(shape) and shapes().value(shape, RDFS.label) is None:
            problems.append(f"{shape}: a node shape needs an rdfs:label")
        for own in own_shapes(shape):
            if isinstance(own, BNode):
                problems.append(f"{shape}: a blank shape cannot be named by a test")
            if is_property_shape(own) and shapes().value(own, SH.name) is None:
                problems.append(f"{own}: a property shape needs an sh:name")
            sparql = list(shapes().objects(own, SH.sparql))
            messages = [shapes().value(c, SH.message) for c in sparql] or [shapes().value(own, SH.message)]
            if None in messages:
                problems.append(f"{own}: needs an sh:message that says what to fix")
    assert not problems, "\n".join(sorted(problems))


def test_shapes_live_in_the_shapes_namespace() -> None:
    outside = {s for s in reportable_shapes() | targeted_shapes() if not str(s).startswith(str(SKBSH))}
    assert not outside


# ---------------------------------------------------------------------------------------------
# The baseline
# ---------------------------------------------------------------------------------------------


def test_baseline_conforms() -> None:
    report = validate_shacl(baseline())
    assert report.conforms, show(report, baseline())
    assert not report.violations


def test_baseline_exercises_every_shape() -> None:
    """Every shape with a core target has a focus node in the baseline, and every property shape a value."""
    data = baseline_with_ontology()
    unexercised = []
    for shape in targeted_shapes():
        if not set(shapes().predicates(shape)) & (set(TARGETS) - {SH.target}):
            continue  # only a SPARQL target, which selects exactly the violators: none in valid data
        foci = focus_nodes(shape, data)
        if not foci:
            unexercised.append(f"{shape}: no focus node")
            continue
        for prop in own_shapes(shape):
            if is_property_shape(prop) and not has_value(prop, foci, data):
                unexercised.append(f"{prop}: no value on any focus node of {shape}")
    assert not unexercised, "\n".join(sorted(unexercised))


# ---------------------------------------------------------------------------------------------
# The invalid examples
# ---------------------------------------------------------------------------------------------


def test_invalid_folder_holds_only_trig_cases() -> None:
    others = [p.name for p in INVALID.iterdir() if p.suffix != ".trig" and p.name != "README.md"]
    assert not others, f"only .trig cases are run: {others}"
    assert INVALID_FILES


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: p.stem)
def test_invalid_case_is_reported_by_exactly_its_shape(path: Path) -> None:
    case = load_case(path)
    assert case.expected, f"{path.name} declares no expected result in graph {EXPECTED_GRAPH}"
    report = validate_shacl([baseline(), case.data])
    found = {(violation.focus_node, violation.source_shape) for violation in report.violations}
    assert not report.conforms
    assert found == case.expected, show(report, case.data)


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: p.stem)
def test_invalid_case_is_named_after_its_shape(path: Path) -> None:
    case = load_case(path)
    assert len(case.shapes) == 1, f"{path.name} must violate exactly one shape"
    (shape,) = case.shapes
    assert shape in reportable_shapes(), f"{path.name}: {shape} is not a shape of shapes/"
    assert path.stem.split("--")[0] == str(shape).removeprefix(str(SKBSH))


def test_every_shape_has_an_invalid_case() -> None:
    covered = set().union(*(load_case(path).shapes for path in INVALID_FILES))
    missing = reportable_shapes() - covered
    assert not missing, "shapes without a file in tests/data/invalid:\n" + "\n".join(sorted(map(str, missing)))
    for shape in targeted_shapes():
        assert covered & own_shapes(shape), f"{shape} has no invalid case"


def test_every_target_class_of_a_shared_shape_has_an_invalid_case() -> None:
    """A shape with several target classes (labels, evidence, concepts, ...) is tested on each of them.

    Only classes with an instance in the baseline count (e.g. nothing is typed time:TemporalEntity there).
    """
    data = baseline_with_ontology()
    for path in INVALID_FILES:
        data += load_case(path).data
    problems = []
    for shape in targeted_shapes():
        classes = set(shapes().objects(shape, SH.targetClass))
        if len(classes) < 2:
            continue
        own = own_shapes(shape)
        focused = {focus for path in INVALID_FILES for focus, reported in load_case(path).expected if reported in own}
        for cls in classes:
            if instances_of(cls, baseline_with_ontology()) and not instances_of(cls, data) & focused:
                problems.append(f"{shape}: no invalid case whose focus node is a {cls}")
    assert not problems, "\n".join(sorted(problems))


# ---------------------------------------------------------------------------------------------
# The knowledge base
# ---------------------------------------------------------------------------------------------


def test_kb_conforms() -> None:
    if not kb_files():
        pytest.skip("kb/data holds no .trig or .ttl file yet (stancekb.resources.kb_files() is empty)")
    graphs = list(read_graphs(kb_files()).values())
    report = validate_shacl(graphs)
    union = Graph()
    for graph in graphs:
        union += graph
    assert report.conforms, show(report, union)
    assert not report.violations

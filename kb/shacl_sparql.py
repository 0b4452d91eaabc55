"""SHACL validation compiled to SPARQL: each shape becomes SELECT queries run by the store's own engine.

``validate_store`` validates what a ``Store`` holds (the union of its graphs) with the ontology, on any backend
(``Store.query``); ``validate_graph`` is a drop-in for ``stancekb.validate.validate_shacl`` that loads the data
and the ontology into a fresh in-memory Oxigraph store. Both give pySHACL's results for the shapes they
compile (tests/test_shacl_sparql.py compares them result by result) and return a ``ValidationReport``.

How a shape is compiled (docs/validation.md has the details):

- Every shape with a target is a unit. Its focus nodes are a SPARQL pattern on ``?this``: ``sh:targetClass``
  (the class and its subclasses as ``VALUES``), ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``,
  ``sh:targetNode``, and ``sh:target`` SPARQL targets (their query as a sub-query).
- A shape's path is a SPARQL property path from ``?this`` to ``?v`` (a node shape's value is ``?this``).
  The value constraints of a shape (class, datatype, nodeKind, in, min/maxLength, min/max Inclusive/Exclusive,
  node, or) are one query: one flag per constraint, rows only where a flag is up. Counts (min/maxCount,
  qualifiedValueShape) are grouped queries; lessThan and disjoint join the other property; a
  ``sh:SPARQLConstraint`` runs its own query on the focus nodes (``$this`` joined to them, ``$PATH`` written
  in), once the focus nodes are known.
- Nested shapes (``sh:or``, ``sh:node``, ``sh:qualifiedValueShape``) are compiled into SPARQL boolean
  expressions over the value. ``sh:datatype``'s well-formedness ("ill-typed literal") is decided in Python on
  the candidate values the query returns (rdflib's ``ill_typed``, as pySHACL does).
- ``sh:class`` follows ``rdfs:subClassOf*`` of the store and the ontology (computed once a validation). For
  ``validate_store`` the ontology is not in the store: its triples are added to the queries as ``VALUES``
  for the predicates the shapes read.

What is not compiled is never skipped: a unit using a component or path the compiler does not know
(``sh:pattern``, ``sh:languageIn``, ``sh:closed``, ``sh:equals``, ``sh:hasValue``, ``sh:not``, ``sh:and``,
``sh:xone``, custom components, a SPARQL query the compiler cannot place, a path or SPARQL query that reads
ontology triples through a form it cannot add them to...) is validated by pySHACL over the whole union,
with the other units' targets removed; a log line at INFO names it. ``validate_graph`` also hands the
whole validation to pySHACL when Oxigraph would store a literal otherwise than given (a non-canonical
lexical form), since the compiled checks then see another value than pySHACL.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from stancekb.resources import ontology_graph, shapes_graph
from stancekb.store import OxigraphStore, Store, StoreError, from_ox, to_ox
from stancekb.validate import SH, ValidationReport, Violation, union_graph, validate_shacl

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Called after each shape: (shapes done, shapes in all)."""

TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target)
# Parameters that are not constraints (or that the constraint they belong to reads).
NOT_CONSTRAINTS = {
    *TARGETS,
    RDF.type,
    SH.path,
    SH.property,
    SH.name,
    SH.description,
    SH.message,
    SH.severity,
    SH.deactivated,
    SH.order,
    SH.group,
    SH.defaultValue,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint,
}
VALUE_COMPONENTS: dict[Node, URIRef] = {
    SH["class"]: SH.ClassConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent,
    SH.maxLength: SH.MaxLengthConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
    SH.node: SH.NodeConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
}
RANGE_OPERATORS: dict[Node, str] = {
    SH.minInclusive: ">=",
    SH.maxInclusive: "<=",
    SH.minExclusive: ">",
    SH.maxExclusive: "<",
}
NODE_KINDS: dict[Node, str] = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
# Datatypes whose well-formedness the store's casts can confirm: a value they cast is well-formed.
CASTABLE = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.boolean, XSD.date, XSD.dateTime, XSD.gYear}
# Oxigraph stores these as xsd:integer (with the same lexical form).
INTEGER_SUBTYPES = {
    XSD.nonNegativeInteger,
    XSD.positiveInteger,
    XSD.nonPositiveInteger,
    XSD.negativeInteger,
    XSD.long,
    XSD.int,
    XSD.short,
    XSD.byte,
    XSD.unsignedLong,
    XSD.unsignedInt,
    XSD.unsignedShort,
    XSD.unsignedByte,
}
FOCUS_BATCH = 500
"""Focus nodes written into one SPARQL constraint's query as VALUES; more are joined as a sub-query."""


SHAPE_KINDS = (SH.NodeShape, SH.PropertyShape)
CLASSES = (RDFS.Class, URIRef("http://www.w3.org/2002/07/owl#Class"))


def _is_class(shapes: Graph, node: Node) -> bool:
    """Whether a node is typed as a class in the shapes graph (a shape that is one targets its instances)."""
    return any((node, RDF.type, kind) in shapes for kind in CLASSES)


class Unsupported(Exception):
    """A shape uses something the compiler does not compile: pySHACL validates it instead."""


def _term(node: Node) -> str:
    """A term in SPARQL syntax, written by Oxigraph; blank nodes cannot be written into a query."""
    if isinstance(node, BNode):
        raise Unsupported("a blank node in a query")
    return str(to_ox(node))


def _has_datatype(value: Node, datatype: Node) -> bool:
    """Whether a value is a well-formed literal of the datatype (SHACL 4.1.2; rdflib's ``ill_typed``)."""
    if not isinstance(value, Literal):
        return False
    actual = value.datatype or (RDF.langString if value.language else XSD.string)
    return actual == datatype and value.ill_typed is not True


# ---------------------------------------------------------------------------------------------------------
# What the queries see: the class hierarchy, and triples (the ontology's) added to the store's
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Env:
    """The class hierarchy and the triples added to the store's (by predicate), for writing queries."""

    subclasses: dict[Node, set[Node]]
    added: dict[Node, list[tuple[Node, Node]]] = field(default_factory=dict)
    names: Iterator[int] = field(default_factory=itertools.count)

    @classmethod
    def of(cls, pairs: Iterable[tuple[Node, Node]], added: Graph | None = None) -> Env:
        """From ``rdfs:subClassOf`` pairs (sub, super), and a graph whose triples the store does not hold."""
        direct: dict[Node, set[Node]] = {}
        for sub, sup in pairs:
            direct.setdefault(sup, set()).add(sub)
        closure: dict[Node, set[Node]] = {}
        for top in direct:
            seen, pending = {top}, [top]
            while pending:
                for sub in direct.get(pending.pop(), ()):
                    if sub not in seen:
                        seen.add(sub)
                        pending.append(sub)
            closure[top] = seen
        by_predicate: dict[Node, list[tuple[Node, Node]]] = {}
        for s, p, o in added or ():
            by_predicate.setdefault(p, []).append((s, o))
        return cls(subclasses=closure, added=by_predicate)

    def var(self) -> str:
        """A fresh variable name for the query being written."""
        return f"?skb{next(self.names)}"

    def classes(self, cls: Node) -> set[Node]:
        """The class and its subclasses (``rdfs:subClassOf*``)."""
        return self.subclasses.get(cls, {cls})

    def added_instances(self, cls: Node) -> set[Node]:
        """The instances of a class (and its subclasses) among the added triples."""
        classes = self.classes(cls)
        return {s for s, o in self.added.get(RDF.type, ()) if o in classes}

    def triple(self, subject: str, predicate: Node, obj: str) -> str:
        """A triple pattern over the store's triples and the added ones."""
        pattern = f"{subject} {_term(predicate)} {obj} ."
        rows = self.added.get(predicate)
        if not rows:
            return pattern
        values = " ".join(f"({_term(s)} {_term(o)})" for s, o in rows)
        return f"{{ {pattern} }} UNION {{ VALUES ({subject} {obj}) {{ {values} }} }}"

    def typed(self, var: str, cls: Node) -> str:
        """A pattern: ``var`` has the class or a subclass as ``rdf:type`` (a constant where there is one class)."""
        classes = sorted(_term(c) for c in self.classes(cls))
        if len(classes) == 1:
            return f"{var} a {classes[0]} ."
        t = self.var()
        return f"{var} a {t} . VALUES {t} {{ {' '.join(classes)} }}"

    def is_instance(self, var: str, cls: Node) -> str:
        """``var`` is a SHACL instance of the class: ``rdf:type/rdfs:subClassOf*``."""
        expression = f"EXISTS {{ {self.typed(var, cls)} }}"
        extra = self.added_instances(cls)
        if extra:
            expression = f"({expression} || {var} IN ({', '.join(sorted(_term(n) for n in extra))}))"
        return expression

    def reads_added(self, predicates: Iterable[Node | None], classes: Iterable[Node]) -> bool:
        """Whether patterns on these predicates (None: a variable) and ``a`` these classes read added triples."""
        if not self.added:
            return False
        types = {o for _, o in self.added.get(RDF.type, ())}
        return any(p is None or (p != RDF.type and p in self.added) for p in predicates) or bool(types & set(classes))


# ---------------------------------------------------------------------------------------------------------
# Paths
# ---------------------------------------------------------------------------------------------------------


def _items(shapes: Graph, node: Node) -> list[Node]:
    return list(Collection(shapes, node))  # type: ignore[arg-type]


def path_sparql(shapes: Graph, path: Node) -> str:
    """A SHACL path as a SPARQL property path (https://www.w3.org/TR/shacl/#property-paths)."""
    if isinstance(path, URIRef):
        return _term(path)
    if shapes.value(path, RDF.first) is not None:
        return "(" + "/".join(path_sparql(shapes, step) for step in _items(shapes, path)) + ")"
    for predicate, operator in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = shapes.value(path, predicate)
        if inner is not None:
            return f"({path_sparql(shapes, inner)}){operator}"
    inner = shapes.value(path, SH.inversePath)
    if inner is not None:
        return f"^({path_sparql(shapes, inner)})"
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_sparql(shapes, step) for step in _items(shapes, alternatives)) + ")"
    raise Unsupported(f"the path {path.n3()}")


def path_predicates(shapes: Graph, path: Node) -> set[Node]:
    """The predicates a path reads."""
    return {URIRef(iri) for iri in re.findall(r"<([^>]*)>", path_sparql(shapes, path))}


def path_pattern(env: Env, shapes: Graph, path: Node, subject: str, obj: str) -> str:
    """A pattern from ``subject`` to ``obj`` along the path, over the store's triples and the added ones."""
    if not env.reads_added(path_predicates(shapes, path), ()):
        return f"{subject} {path_sparql(shapes, path)} {obj} ."
    if isinstance(path, URIRef):
        return env.triple(subject, path, obj)
    if shapes.value(path, RDF.first) is not None:
        steps = _items(shapes, path)
        names = [subject, *(env.var() for _ in steps[1:]), obj]
        return " ".join(
            path_pattern(env, shapes, step, a, b) for step, a, b in zip(steps, names, names[1:], strict=False)
        )
    inner = shapes.value(path, SH.inversePath)
    if inner is not None:
        return path_pattern(env, shapes, inner, obj, subject)
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return " UNION ".join(
            f"{{ {path_pattern(env, shapes, step, subject, obj)} }}" for step in _items(shapes, alternatives)
        )
    raise Unsupported(f"the path {path.n3()} over ontology triples")


# ---------------------------------------------------------------------------------------------------------
# Conditions: what a value must satisfy, as a SPARQL expression (and a Python re-check where it is not exact)
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """A SPARQL boolean expression over a value; where it is false, ``recheck`` (if any) decides exactly."""

    sparql: str
    recheck: Callable[[Node], bool] | None = None


def _datatype_condition(var: str, datatype: Node) -> Condition:
    if datatype == XSD.string:
        return Condition(f"(isLiteral({var}) && datatype({var}) = {_term(XSD.string)})")
    if datatype == RDF.langString:
        return Condition(f'(isLiteral({var}) && lang({var}) != "")')
    same = f"(isLiteral({var}) && sameTerm(datatype({var}), {_term(datatype)})"
    recheck = lambda value: _has_datatype(value, datatype)  # noqa: E731 - a closure over the datatype
    if datatype in CASTABLE:
        cast = f"COALESCE(sameTerm(datatype({_term(datatype)}({var})), {_term(datatype)}), false)"
        return Condition(f"{same} && {cast})", recheck)
    return Condition("false", recheck)


def value_condition(env: Env, shapes: Graph, shape: Node, predicate: Node, parameter: Node, var: str) -> Condition:
    """The condition one value constraint of a shape puts on a value ``var``."""
    if predicate == SH["class"]:
        return Condition(env.is_instance(var, parameter))
    if predicate == SH.datatype:
        return _datatype_condition(var, parameter)
    if predicate == SH.nodeKind:
        if parameter not in NODE_KINDS:
            raise Unsupported(f"sh:nodeKind {parameter.n3()}")
        return Condition(NODE_KINDS[parameter].format(v=var))
    if predicate == SH["in"]:
        # IRIs by IN (Virtuoso 7 answers sameTerm of two IRIs false); literals by sameTerm (IN compares values)
        listed = _items(shapes, parameter)
        iris = [_term(m) for m in listed if isinstance(m, URIRef)]
        tests = [f"{var} IN ({', '.join(iris)})"] if iris else []
        tests += [f"sameTerm({var}, {_term(m)})" for m in listed if not isinstance(m, URIRef)]
        return Condition(f"({' || '.join(tests) or 'false'})")
    if predicate in (SH.minLength, SH.maxLength):
        operator = ">=" if predicate == SH.minLength else "<="
        return Condition(f"(!isBlank({var}) && STRLEN(STR({var})) {operator} {int(parameter)})")  # type: ignore[call-overload]
    if predicate in RANGE_OPERATORS:
        return Condition(f"COALESCE({var} {RANGE_OPERATORS[predicate]} {_term(parameter)}, false)")
    if predicate == SH.node:
        return exact(shape_condition(env, shapes, parameter, var))
    if predicate == SH["or"]:
        members = [shape_condition(env, shapes, member, var) for member in _items(shapes, parameter)]
        inexact = [m.recheck for m in members if m.recheck is not None]
        recheck = (lambda value: any(check(value) for check in inexact)) if inexact else None
        return Condition("(" + (" || ".join(m.sparql for m in members) or "false") + ")", recheck)
    raise Unsupported(f"{predicate.n3()}")


def exact(condition: Condition) -> Condition:
    """The condition, which must be exact in SPARQL (it is combined with others)."""
    if condition.recheck is not None:
        raise Unsupported("a datatype check nested where its well-formedness cannot be re-checked")
    return condition


def constraints_of(shapes: Graph, shape: Node) -> list[tuple[Node, Node]]:
    """A shape's constraint parameters (predicate, value), unsupported ones refused."""
    found = []
    for predicate, parameter in shapes.predicate_objects(shape):
        if predicate in NOT_CONSTRAINTS or not str(predicate).startswith(str(SH)):
            continue
        found.append((predicate, parameter))
    return found


def shape_condition(env: Env, shapes: Graph, shape: Node, var: str) -> Condition:
    """Whether ``var`` conforms to a nested shape, as one SPARQL expression (exact, or a single re-checked test)."""
    if shapes.value(shape, SH.deactivated) == Literal(True):
        return Condition("true")
    path = shapes.value(shape, SH.path)
    parts: list[Condition] = []
    if path is None:
        for predicate, parameter in constraints_of(shapes, shape):
            if predicate not in VALUE_COMPONENTS:
                raise Unsupported(f"{predicate.n3()} in a nested shape")
            parts.append(value_condition(env, shapes, shape, predicate, parameter, var))
    else:
        w = env.var()
        pattern = path_pattern(env, shapes, path, var, w)
        bad = []
        for predicate, parameter in constraints_of(shapes, shape):
            if predicate == SH.minCount and int(parameter) <= 1:  # type: ignore[call-overload]
                parts.append(Condition(f"EXISTS {{ {pattern} }}" if int(parameter) == 1 else "true"))  # type: ignore[call-overload]
            elif predicate in VALUE_COMPONENTS:
                bad.append(exact(value_condition(env, shapes, shape, predicate, parameter, w)).sparql)
            else:
                raise Unsupported(f"{predicate.n3()} in a nested property shape")
        if bad:
            parts.append(Condition(f"NOT EXISTS {{ {pattern} FILTER (!({' && '.join(bad)})) }}"))
    for prop in shapes.objects(shape, SH.property):
        parts.append(exact(shape_condition(env, shapes, prop, var)))
    if not parts:
        return Condition("true")
    if len(parts) == 1:
        return parts[0]
    return Condition("(" + " && ".join(exact(part).sparql for part in parts) + ")")


# ---------------------------------------------------------------------------------------------------------
# Units: a targeted shape, its focus nodes, and its checks
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """A result before it becomes a ``Violation``: the shape, component, focus, value, path, message bindings."""

    shape: Node
    component: URIRef
    focus: Node
    value: Node | None
    path: Node | None
    bindings: Mapping[str, Node] = field(default_factory=dict)
    constraint: Node | None = None


@dataclass
class Run:
    """One validation: the store, the environment, the shapes, and the results found."""

    store: Store
    env: Env
    shapes: Graph
    native: ox.Store | None = None
    """The pyoxigraph store to query directly (``validate_graph``'s own store: no checks, no fork guard needed)."""
    prefixes: str = ""
    found: list[Found] = field(default_factory=list)

    def select(self, query: str) -> list[dict[str, Node]]:
        """The rows of a SELECT query, with the prefixes of the unit's SPARQL targets."""
        if self.native is None:
            return self.store.query(self.prefixes + query).rows
        solutions = self.native.query(self.prefixes + query, use_default_graph_as_union=True)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [variable.value for variable in solutions.variables]
        return [
            {name: from_ox(value) for name in names if (value := solution[name]) is not None} for solution in solutions
        ]


def _prefix_block(shapes: Graph, node: Node) -> str:
    """PREFIX declarations of a SPARQL-based constraint or target (``sh:prefixes``, SHACL 5.2.1)."""
    lines = []
    for declarer in shapes.objects(node, SH.prefixes):
        for declared in shapes.objects(declarer, SH.declare):
            lines.append(f"PREFIX {shapes.value(declared, SH.prefix)}: <{shapes.value(declared, SH.namespace)}>")
    return "\n".join(sorted(set(lines))) + "\n"


_PROLOGUE = re.compile(r"^\s*((?:PREFIX\s+[\w.-]*:\s*<[^>]*>\s*)*)", re.IGNORECASE)


def _split_prologue(text: str) -> tuple[str, str]:
    """A query's own PREFIX declarations, and the rest."""
    match = _PROLOGUE.match(text)
    assert match is not None
    if re.match(r"\s*BASE\b", text[match.end() :], re.IGNORECASE):
        raise Unsupported("a SPARQL query with BASE")
    return match.group(1), text[match.end() :]


@lru_cache(maxsize=256)
def _sparql_reads(prefix_block: str, text: str) -> tuple[frozenset[Node | None], frozenset[Node]]:
    """The predicates (None for a variable or a path) and the classes (``a C``) a SPARQL query's patterns read."""
    predicates: set[Node | None] = set()
    classes: set[Node] = set()

    def walk(part: object) -> None:
        if isinstance(part, Mapping) and getattr(part, "name", None) == "BGP":
            for _, p, o in part["triples"]:
                predicates.add(p if isinstance(p, URIRef) else None)
                if p == RDF.type and isinstance(o, URIRef):
                    classes.add(o)
        if isinstance(part, Mapping):
            for value in part.values():
                walk(value)
        elif isinstance(part, list | tuple):
            for value in part:
                walk(value)

    walk(prepareQuery(prefix_block + text).algebra)
    return frozenset(predicates), frozenset(classes)


class Unit:
    """A shape with a target, compiled: its focus pattern and its checks, run by ``validate``."""

    def __init__(self, shapes: Graph, shape: Node) -> None:
        self.shapes = shapes
        self.shape = shape
        self.checked = [shape, *shapes.objects(shape, SH.property)]
        self.classes = [*shapes.objects(shape, SH.targetClass), *([shape] if _is_class(shapes, shape) else [])]
        """Its target classes, itself included if it is a class (an implicit class target, SHACL 2.1.3.1)."""
        targets = [(p, o) for p in TARGETS for o in shapes.objects(shape, p)]
        if _is_class(shapes, shape):
            targets.append((SH.targetClass, shape))
        only = targets[0] if len(targets) == 1 else (None, None)
        self.subjects_of = only[1] if only[0] == SH.targetSubjectsOf else None
        """The predicate whose subjects are the focus nodes, if that is the only target."""
        self._refuse_unknown()
        self.parts = [
            (part, shapes.value(part, SH.path), constraints_of(shapes, part))
            for part in self.checked
            if shapes.value(part, SH.deactivated) != Literal(True)
        ]
        """Each shape checked (the unit and its property shapes, deactivated ones left out): path, constraints."""

    def _refuse_unknown(self) -> None:
        """Refuse at compile time what no environment can compile."""
        for shape in self.checked:
            if shape != self.shape and any(True for _ in self.shapes.objects(shape, SH.property)):
                raise Unsupported("a property shape with property shapes")
            path = self.shapes.value(shape, SH.path)
            if path is not None:
                path_sparql(self.shapes, path)
            for predicate, parameter in constraints_of(self.shapes, shape):
                known = {*VALUE_COMPONENTS, SH.minCount, SH.maxCount, SH.qualifiedValueShape}
                known |= {SH.lessThan, SH.disjoint, SH.sparql}
                if predicate not in known:
                    raise Unsupported(f"{predicate.n3()}")
                if predicate == SH.qualifiedValueShape and self.shapes.value(
                    shape, SH.qualifiedValueShapesDisjoint
                ) == Literal(True):
                    raise Unsupported("sh:qualifiedValueShapesDisjoint")
                if predicate == SH.sparql and (parameter, SH.ask, None) in self.shapes:
                    raise Unsupported("an ASK-based SPARQL constraint")
                if predicate == SH.sparql and path is None and "$PATH" in str(self.shapes.value(parameter, SH.select)):
                    raise Unsupported("$PATH in a node shape's SPARQL constraint")
        for target in self.shapes.objects(self.shape, SH.target):
            if (target, SH.select, None) not in self.shapes:
                raise Unsupported("a target that is not a SPARQL SELECT target")

    # -- focus nodes

    def focus_pattern(self, run: Run) -> str:
        """The pattern binding ``?this`` to the focus nodes (possibly more than once)."""
        env, shapes = run.env, self.shapes
        branches = []
        for cls in self.classes:
            branches.append(env.typed("?this", cls))
            extra = env.added_instances(cls)
            if extra:
                branches.append(f"VALUES ?this {{ {' '.join(sorted(_term(n) for n in extra))} }}")
        for prop in shapes.objects(self.shape, SH.targetSubjectsOf):
            branches.append(env.triple("?this", prop, env.var()))
        for prop in shapes.objects(self.shape, SH.targetObjectsOf):
            branches.append(env.triple(env.var(), prop, "?this"))
        nodes = list(shapes.objects(self.shape, SH.targetNode))
        if nodes:
            branches.append(f"VALUES ?this {{ {' '.join(_term(n) for n in nodes)} }}")
        for target in shapes.objects(self.shape, SH.target):
            own, text = _split_prologue(str(shapes.value(target, SH.select)))
            block = _prefix_block(shapes, target) + own
            if env.added and env.reads_added(*_sparql_reads(block, text)):
                raise Unsupported("a SPARQL target reading ontology triples")
            run.prefixes += block
            branches.append(f"{{ {text} }}")
        return " UNION ".join(f"{{ {branch} }}" for branch in branches)

    # -- checks

    def validate(self, run: Run) -> None:
        """Run every check of the unit; results go to ``run.found``."""
        focus = self.focus_pattern(run)
        for shape, path, constraints in self.parts:
            self._values(run, shape, path, focus, [(p, o) for p, o in constraints if p in VALUE_COMPONENTS])
            self._counts(
                run, shape, path, focus, dict((p, o) for p, o in constraints if p in (SH.minCount, SH.maxCount))
            )
            for predicate, parameter in constraints:
                if predicate == SH.qualifiedValueShape:
                    self._qualified(run, shape, path, focus, parameter)
                elif predicate in (SH.lessThan, SH.disjoint):
                    self._pair(run, shape, path, focus, predicate, parameter)
                elif predicate == SH.sparql:
                    self._sparql(run, shape, path, focus, parameter)

    def _value_pattern(self, run: Run, path: Node | None) -> str:
        if path is None:
            return "BIND (?this AS ?v)"
        return path_pattern(run.env, self.shapes, path, "?this", "?v")

    def _from_focus(self, run: Run, path: Node | None, focus: str) -> str:
        """Focus and value: ``?this`` and ``?v``; a shape targeting the subjects of its own path reads it once."""
        if path is not None and path == self.subjects_of:
            return run.env.triple("?this", path, "?v")
        return f"{focus} {self._value_pattern(run, path)}"

    def _values(
        self, run: Run, shape: Node, path: Node | None, focus: str, constraints: list[tuple[Node, Node]]
    ) -> None:
        if not constraints:
            return
        value = "?this" if path is None else "?v"  # a node shape's value is its focus node
        conditions = [value_condition(run.env, self.shapes, shape, p, o, value) for p, o in constraints]
        values = focus if path is None else self._from_focus(run, path, focus)
        # One branch a constraint, its number bound first (Virtuoso 7 refuses a constant BIND after a FILTER).
        branches = " UNION ".join(
            f"{{ BIND ({i} AS ?k) {values} FILTER (!{c.sparql}) }}" for i, c in enumerate(conditions)
        )
        for row in run.select(f"SELECT DISTINCT ?k ?this {'' if path is None else value} WHERE {{ {branches} }}"):
            (predicate, _), condition = constraints[int(row["k"])], conditions[int(row["k"])]  # type: ignore[call-overload]
            found = row[value[1:]]
            if condition.recheck is None or not condition.recheck(found):
                run.found.append(Found(shape, VALUE_COMPONENTS[predicate], row["this"], found, path))

    def _counts(self, run: Run, shape: Node, path: Node | None, focus: str, counts: dict[Node, Node]) -> None:
        if not counts or path is None:
            return
        low = int(counts[SH.minCount]) if SH.minCount in counts else 0  # type: ignore[call-overload]
        high = int(counts[SH.maxCount]) if SH.maxCount in counts else None  # type: ignore[call-overload]
        values = self._value_pattern(run, path)
        if low == 1:
            for row in run.select(f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ {values} }} }}"):
                run.found.append(Found(shape, SH.MinCountConstraintComponent, row["this"], None, path))
            low = 0
        if low == 0 and high == 1:  # two distinct values: cheaper than counting every focus node's values
            second = path_pattern(run.env, self.shapes, path, "?this", "?w")
            pairs = f"{self._from_focus(run, path, focus)} {second} FILTER (!sameTerm(?v, ?w))"
            for row in run.select(f"SELECT DISTINCT ?this WHERE {{ {pairs} }}"):
                run.found.append(Found(shape, SH.MaxCountConstraintComponent, row["this"], None, path))
            return
        tests = ([f"COUNT(DISTINCT ?v) < {low}"] if low else []) + (
            [f"COUNT(DISTINCT ?v) > {high}"] if high is not None else []
        )
        if not tests:
            return
        body = f"{focus} OPTIONAL {{ {values} }}" if low else self._from_focus(run, path, focus)
        query = (
            f"SELECT ?this (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {body} }} GROUP BY ?this HAVING ({' || '.join(tests)})"
        )
        for row in run.select(query):
            n = int(row["n"])  # type: ignore[call-overload]
            component = SH.MinCountConstraintComponent if n < low else SH.MaxCountConstraintComponent
            run.found.append(Found(shape, component, row["this"], None, path))

    def _qualified(self, run: Run, shape: Node, path: Node | None, focus: str, qualified: Node) -> None:
        if path is None:
            raise Unsupported("sh:qualifiedValueShape on a node shape")
        low = self.shapes.value(shape, SH.qualifiedMinCount)
        high = self.shapes.value(shape, SH.qualifiedMaxCount)
        condition = exact(shape_condition(run.env, self.shapes, qualified, "?v")).sparql
        tests = ([f"?n < {int(low)}"] if low is not None else []) + ([f"?n > {int(high)}"] if high is not None else [])  # type: ignore[call-overload]
        if not tests:
            return
        values = self._value_pattern(run, path)
        query = (
            f"SELECT ?this ?n WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {focus} "
            f"OPTIONAL {{ {values} FILTER ({condition}) }} }} GROUP BY ?this }} FILTER ({' || '.join(tests)}) }}"
        )
        for row in run.select(query):
            n = int(row["n"])  # type: ignore[call-overload]
            if low is not None and n < int(low):  # type: ignore[call-overload]
                run.found.append(Found(shape, SH.QualifiedMinCountConstraintComponent, row["this"], None, path))
            if high is not None and n > int(high):  # type: ignore[call-overload]
                run.found.append(Found(shape, SH.QualifiedMaxCountConstraintComponent, row["this"], None, path))

    def _pair(self, run: Run, shape: Node, path: Node | None, focus: str, predicate: Node, other: Node) -> None:
        values = self._from_focus(run, path, focus)
        if predicate == SH.disjoint:
            body, component = f"{values} {run.env.triple('?this', other, '?v')}", SH.DisjointConstraintComponent
        else:
            w = run.env.var()
            body = f"{values} {run.env.triple('?this', other, w)} FILTER (!COALESCE(?v < {w}, false))"
            component = SH.LessThanConstraintComponent
        for row in run.select(f"SELECT DISTINCT ?this ?v WHERE {{ {body} }}"):
            run.found.append(Found(shape, component, row["this"], row["v"], path))

    def _sparql(self, run: Run, shape: Node, path: Node | None, focus: str, constraint: Node) -> None:
        if self.shapes.value(constraint, SH.deactivated) == Literal(True):
            return
        text = str(self.shapes.value(constraint, SH.select))
        if path is not None:
            text = text.replace("$PATH", path_sparql(self.shapes, path))
        own, text = _split_prologue(text)
        block = _prefix_block(self.shapes, constraint) + own
        if run.env.added and run.env.reads_added(*_sparql_reads(block, text)):
            raise Unsupported("a SPARQL constraint reading ontology triples")
        where = re.search(r"\bWHERE\s*\{", text, re.IGNORECASE)
        if where is None:
            raise Unsupported("a SPARQL constraint without WHERE")
        focus_nodes = [row["this"] for row in run.select(f"SELECT DISTINCT ?this WHERE {{ {focus} }}")]
        if len(focus_nodes) > FOCUS_BATCH or any(isinstance(node, BNode) for node in focus_nodes):
            queries = [f"{block}SELECT * WHERE {{ {{ {focus} }} {{ {text} }} }}"]
        else:
            head, tail = text[: where.end()], text[where.end() :]
            queries = [
                f"{block}{head} VALUES ?this {{ {' '.join(_term(n) for n in batch)} }} {tail}"
                for batch in _batches(focus_nodes, FOCUS_BATCH)
            ]
        for query in queries:
            for row in run.select(query):
                if "this" not in row or _true(row.get("failure")):
                    continue
                found_path = row.get("path", path)
                run.found.append(
                    Found(
                        shape, SH.SPARQLConstraintComponent, row["this"], row.get("value"), found_path, row, constraint
                    )
                )


def _batches(items: list[Node], size: int) -> Iterator[list[Node]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _true(value: Node | None) -> bool:
    """A flag's value: true, or 1 as Virtuoso binds a boolean expression."""
    return isinstance(value, Literal) and value.toPython() in (True, 1)


# ---------------------------------------------------------------------------------------------------------
# Compiling a shapes graph; messages; the report
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Compiled:
    """A shapes graph split into compiled units and the shapes left to pySHACL."""

    shapes: Graph
    units: list[Unit]
    fallback: dict[Node, str]


@lru_cache(maxsize=8)
def compile_shapes(shapes: Graph) -> Compiled:
    """Compile every targeted shape of a shapes graph (cached by the graph's identity, like ``_working_copy``)."""
    units: list[Unit] = []
    fallback: dict[Node, str] = {}
    targeted = {s for t in TARGETS for s in shapes.subjects(t, None)}
    targeted |= {s for kind in SHAPE_KINDS for s in shapes.subjects(RDF.type, kind) if _is_class(shapes, s)}
    for shape in sorted(targeted, key=str):
        if shapes.value(shape, SH.deactivated) == Literal(True):
            continue
        try:
            units.append(Unit(shapes, shape))
        except Unsupported as unsupported:
            fallback[shape] = str(unsupported)
    for shape, reason in fallback.items():
        log.info("SHACL shape %s is validated by pySHACL: %s is not compiled to SPARQL", shape, reason)
    return Compiled(shapes, units, fallback)


def _message(shapes: Graph, found: Found) -> str:
    """The shape's (or SPARQL constraint's) sh:message, its {?var} filled in; else a default naming the constraint."""
    for node in (found.constraint, found.shape):
        if node is None:
            continue
        message = shapes.value(node, SH.message)
        if message is not None:
            return re.sub(
                r"\{[?$](\w+)\}",
                lambda m: str(found.bindings[m.group(1)]) if m.group(1) in found.bindings else m.group(0),
                str(message),
            )
    name = str(found.component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    parameter = {
        "MinCount": SH.minCount,
        "MaxCount": SH.maxCount,
        "Class": SH["class"],
        "Datatype": SH.datatype,
        "NodeKind": SH.nodeKind,
        "MinLength": SH.minLength,
        "MaxLength": SH.maxLength,
        "LessThan": SH.lessThan,
        "Disjoint": SH.disjoint,
        "QualifiedMinCount": SH.qualifiedMinCount,
        "QualifiedMaxCount": SH.qualifiedMaxCount,
        "MinInclusive": SH.minInclusive,
        "MaxInclusive": SH.maxInclusive,
        "MinExclusive": SH.minExclusive,
        "MaxExclusive": SH.maxExclusive,
    }.get(name)
    value = shapes.value(found.shape, parameter) if parameter is not None else None
    shown = f" {value}" if isinstance(value, Literal) else f" {value.n3(shapes.namespace_manager)}" if value else ""
    return f"the value does not satisfy sh:{name[0].lower()}{name[1:]}{shown}"


def _copy_path(shapes: Graph, path: Node, report: Graph) -> None:
    """Copy a complex path's structure (blank nodes and lists) into the report."""
    pending = [path]
    while pending:
        node = pending.pop()
        for p, o in shapes.predicate_objects(node):
            report.add((node, p, o))
            if isinstance(o, BNode):
                pending.append(o)


def _report(shapes: Graph, found: Iterable[Found]) -> ValidationReport:
    violations = set()
    for item in found:
        severity = shapes.value(item.shape, SH.severity) or SH.Violation
        violations.add(
            Violation(
                focus_node=item.focus,
                result_path=item.path,
                value=item.value,
                source_shape=item.shape,
                constraint=item.component,
                severity=severity,  # type: ignore[arg-type]
                message=_message(shapes, item),
            )
        )
    return _assemble(shapes, list(violations))


def _assemble(shapes: Graph, violations: list[Violation]) -> ValidationReport:
    """The report of these violations: sorted as ``stancekb.validate`` sorts them, and the standard report graph."""
    ordered = sorted(violations, key=lambda v: (str(v.focus_node), str(v.result_path), str(v.constraint)))
    graph = Graph()
    graph.bind("sh", SH)
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(not ordered)))
    for violation in ordered:
        result = BNode()
        graph.add((report, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.focusNode, violation.focus_node))
        if violation.result_path is not None:
            graph.add((result, SH.resultPath, violation.result_path))
            if isinstance(violation.result_path, BNode):
                _copy_path(shapes, violation.result_path, graph)
        if violation.value is not None:
            graph.add((result, SH.value, violation.value))
        graph.add((result, SH.sourceShape, violation.source_shape))
        graph.add((result, SH.sourceConstraintComponent, violation.constraint))
        graph.add((result, SH.resultSeverity, violation.severity))
        graph.add((result, SH.resultMessage, Literal(violation.message)))
    return ValidationReport(conforms=not ordered, violations=ordered, report_graph=graph)


@lru_cache(maxsize=8)
def _fallback_shapes(shapes: Graph, fallback: frozenset[Node]) -> Graph:
    """The shapes graph with the targets of every shape but the fallback ones removed (nested use still works)."""
    copy = Graph() + shapes
    for target in TARGETS:
        for shape, value in list(copy.subject_objects(target)):
            if shape not in fallback:
                copy.remove((shape, target, value))
    for kind in CLASSES:
        for shape in list(copy.subjects(RDF.type, kind)):
            if shape not in fallback and any((shape, RDF.type, shape_kind) in copy for shape_kind in SHAPE_KINDS):
                copy.remove((shape, RDF.type, kind))
    return copy


# ---------------------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------------------


def _subclass_pairs(store: Store, ontology: Graph) -> list[tuple[Node, Node]]:
    rows = store.query(
        "SELECT DISTINCT ?sub ?super WHERE { ?sub <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?super }"
    )
    return [(row["sub"], row["super"]) for row in rows.rows] + list(ontology.subject_objects(RDFS.subClassOf))


def _run(
    store: Store,
    env: Env,
    shapes: Graph,
    data_for_fallback: Callable[[], list[Graph]],
    ontology: Graph,
    progress: Progress | None,
    native: ox.Store | None = None,
) -> ValidationReport:
    compiled = compile_shapes(shapes)
    fallback = set(compiled.fallback)
    found: list[Found] = []
    total = len(compiled.units) + (1 if fallback else 0)
    for done, unit in enumerate(compiled.units, start=1):
        run = Run(store, env, shapes, native)
        try:
            unit.validate(run)
            found.extend(run.found)
        except (Unsupported, StoreError) as reason:  # StoreError: the store refused or failed a query
            log.info("SHACL shape %s is validated by pySHACL: %s", unit.shape, reason)
            fallback.add(unit.shape)
        if progress is not None:
            progress(done, total)
    report = _report(shapes, found)
    if not fallback:
        return report
    by_pyshacl = validate_shacl(
        data_for_fallback(), shapes=_fallback_shapes(shapes, frozenset(fallback)), ontology=ontology
    )
    if progress is not None:
        progress(total, total)
    return _assemble(shapes, list(set(report.violations) | set(by_pyshacl.violations)))


def validate_store(
    store: Store, shapes: Graph | None = None, ontology: Graph | None = None, *, progress: Progress | None = None
) -> ValidationReport:
    """Validate the union of a store's graphs, with the ontology, by SPARQL queries run by the store itself.

    The ontology's triples are written into the queries (``VALUES``) where the shapes read them. Shapes the
    compiler does not support are validated by pySHACL over the store's content and the ontology (logged).
    """
    shapes = shapes if shapes is not None else shapes_graph()
    ontology = ontology if ontology is not None else ontology_graph()
    env = Env.of(_subclass_pairs(store, ontology), added=ontology)
    return _run(store, env, shapes, lambda: [union_graph(store.to_dataset())], ontology, progress)


@lru_cache(maxsize=4)
def _native_quads(ontology: Graph) -> list[ox.Quad]:
    """The ontology's triples as pyoxigraph quads in the default graph (converted once a graph)."""
    return [ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in ontology]  # type: ignore[arg-type]


def _triples(data: Graph | Dataset | Iterable[Graph]) -> Iterator[tuple[Node, Node, Node]]:
    for part in [data] if isinstance(data, Graph) else data:
        if isinstance(part, Dataset):
            for s, p, o, _ in part.quads((None, None, None, None)):
                yield s, p, o
        else:
            yield from part


def _integer_originals(store: ox.Store, literals: set[Literal], shapes: Graph) -> dict[Node, set[Literal]] | None:
    """How Oxigraph stored the literals: for each xsd:integer it made of an integer subtype, the literals given.

    Oxigraph keeps canonical forms: an integer subtype becomes xsd:integer with the same lexical form (harmless
    to a check where every sh:datatype accepts both or neither; the results' values are given back as they
    were); a lexical form it rewrites is not harmless: None.
    """
    stored = {quad.object for quad in store.quads_for_pattern(None, None, None) if isinstance(quad.object, ox.Literal)}
    originals: dict[Node, set[Literal]] = {}
    for literal in literals:
        integral = literal.datatype in INTEGER_SUBTYPES
        if integral or literal.datatype == XSD.integer:
            originals.setdefault(Literal(str(literal), datatype=XSD.integer, normalize=False), set()).add(literal)
        if to_ox(literal) in stored:
            continue
        if not integral or ox.Literal(str(literal), datatype=ox.NamedNode(str(XSD.integer))) not in stored:
            return None
        if any((XSD.integer in accepted) != (literal.datatype in accepted) for accepted in _datatype_sets(shapes)):
            return None
    return {integer: given for integer, given in originals.items() if given != {integer}}


def _given_back(
    report: ValidationReport, originals: Mapping[Node, set[Literal]], shapes: Graph
) -> ValidationReport | None:
    """The report with each value as it was given (None if one stored value stands for several given ones)."""
    violations = []
    for violation in report.violations:
        given = originals.get(violation.value) if violation.value is not None else None
        if given is not None and len(given) > 1:
            return None
        violations.append(violation if given is None else replace(violation, value=next(iter(given))))
    return _assemble(shapes, violations)


@lru_cache(maxsize=8)
def _datatype_sets(shapes: Graph) -> frozenset[frozenset[Node]]:
    """The datatypes each sh:datatype accepts: its own, or those of every member of the sh:or it is in."""
    sets = set()
    for shape in set(shapes.subjects(SH.datatype, None)):
        members = [shape]
        for cell in shapes.subjects(RDF.first, shape):
            while (previous := shapes.value(None, RDF.rest, cell)) is not None:
                cell = previous
            if (None, SH["or"], cell) in shapes:
                members = _items(shapes, cell)
        sets.add(frozenset(d for member in members for d in shapes.objects(member, SH.datatype)))
    return frozenset(sets)


def validate_graph(
    data: Graph | Dataset | Iterable[Graph], shapes: Graph | None = None, ontology: Graph | None = None
) -> ValidationReport:
    """``validate_shacl``'s signature and meaning: the union of the data with the ontology, by compiled SPARQL.

    The data and the ontology are loaded into a fresh in-memory Oxigraph store. If Oxigraph stores a literal
    otherwise than given in a way a check or a result could tell (see ``_integer_originals``), pySHACL
    validates the whole instead (logged).
    """
    shapes = shapes if shapes is not None else shapes_graph()
    ontology = ontology if ontology is not None else ontology_graph()
    parts = [data] if isinstance(data, Graph) else list(data)
    store = OxigraphStore()
    literals: set[Literal] = set()
    quads = []
    for s, p, o in _triples(parts):
        if isinstance(o, Literal):
            literals.add(o)
        quads.append(ox.Quad(to_ox(s), to_ox(p), to_ox(o)))  # type: ignore[arg-type]
    store.native.extend(quads)
    store.native.extend(_native_quads(ontology))
    originals = _integer_originals(store.native, literals, shapes)
    if originals is not None:
        env = Env.of(_subclass_pairs(store, Graph()))
        report = _run(store, env, shapes, lambda: parts, ontology, None, native=store.native)
        restored = _given_back(report, originals, shapes) if originals else report
        if restored is not None:
            return restored
    log.info("a literal is stored by Oxigraph in another form: the data is validated by pySHACL")
    return validate_shacl(parts, shapes=shapes, ontology=ontology)

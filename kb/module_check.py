"""Check an ontology module like the core: syntax, header and imports, quality rules, SHACL, HermiT, questions.

Each module is checked together with the core alone (its ontology, shapes and knowledge base), not with the
other modules, so that a failure is the module's own. The checks are a registry (``CHECKS``), run in order;
when the module's files cannot be read or its imports resolved, the checks that need them are not run.

- quality rules: every rule of ontology/qc is run over the core and over core plus module; the rows the
  module adds are its violations. The rules of ontology/qc/modules are run over the core and the module as
  separate graphs (a term of the core redefined, a term defined outside the module's namespace). Any IRI
  in the RDF, RDFS, OWL or XML Schema namespaces that these vocabularies do not define (``owl:Clas``) is a
  violation too ("builtin-term-unknown").
- competency questions: ``queries/NAME.rq`` beside ``queries/NAME.expected.json``, ``{"prefixes": {...},
  "rows": [...]}``, values written as prefixed names (IRIs; the project's prefixes, the module's preferred
  prefix and the file's own) or lexical forms (literals); rows compare as multisets.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib.resources.abc import Traversable

from pyshacl import validate as pyshacl_validate
from pyshacl.errors import ReportableRuntimeError
from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DefinedNamespaceMeta
from rdflib.term import Node

from stancekb.load import read_graphs
from stancekb.modules import Module, ModuleError, declared_ontologies, discover, with_imports
from stancekb.namespaces import PREFIXES
from stancekb.rdfio import RdfInputError, parse_file
from stancekb.reason import ReasonerError, reason
from stancekb.resources import (
    core_kb_files,
    core_ontology_graph,
    core_shapes_graph,
    module_qc_files,
    qc_files,
)
from stancekb.store import Store, StoreError, open_store
from stancekb.validate import union_graph, validate_shacl

CORE_GRAPH = URIRef("urn:x-stancekb:qc:core")
MODULE_GRAPH = URIRef("urn:x-stancekb:qc:module")
MODULE_ONTOLOGY_GRAPH = URIRef("urn:x-stancekb:qc:module-ontology")
"""The graphs the quality rules of ontology/qc/modules see."""

BUILTIN_VOCABULARIES: tuple[DefinedNamespaceMeta, ...] = (RDF, RDFS, OWL, XSD)
"""The built-in vocabularies of OWL 2 (https://www.w3.org/TR/owl2-syntax/#IRIs): a term of theirs must exist."""

VANN_PREFIX = URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix")


@dataclass(frozen=True)
class Problem:
    """One failure of a module: the check that found it and what is wrong."""

    check: str
    message: str


@dataclass
class ModuleReport:
    """What checking one module found: a line per check that passed, and the problems."""

    module: Module
    passed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every check run passed."""
        return not self.problems

    def lines(self) -> list[str]:
        """The report as readable lines, naming the module, each check and each failure."""
        head = f"module {self.module.name} ({self.module.ontology}): {'ok' if self.ok else 'FAILED'}"
        lines = [head, *(f"  {line}" for line in self.passed)]
        lines += [f"  FAILED {problem.check}: {problem.message}" for problem in self.problems]
        lines += [f"  not run: {name} (needs the module's files and imports)" for name in self.skipped]
        return lines


@dataclass(frozen=True)
class Whole:
    """A whole the module is part of, already found consistent (HermiT) or conforming (SHACL), named for the report.

    OWL is monotonic, so a part of a consistent whole is consistent. For SHACL the KB as served is what
    counts: a packaged module whose data conforms together with the core and the other modules passes.
    """

    name: str = ""
    consistent: bool = False
    conforms: bool = False


class _Failed(Exception):
    """A check's problems, raised to stop the checks that depend on it."""


class ModuleContext:
    """The module's parts, parsed once and shared by the checks; the core's parts are parsed once a process."""

    def __init__(self, module: Module, checked_in: Whole | None = None) -> None:
        self.module = module
        self.checked_in = checked_in or Whole()

    @cached_property
    def ontology(self) -> Graph:
        """The module's ontology file."""
        return union_graph(parse_file(self.module.ontology))

    @cached_property
    def closure(self) -> Graph:
        """The module's ontology with its imports, read from the files its catalog names."""
        return with_imports(self.ontology, self.module.catalog())

    @cached_property
    def shapes(self) -> Graph:
        """The module's shapes."""
        return union_graph([union_graph(parse_file(entry)) for entry in self.module.shapes])

    @cached_property
    def data(self) -> dict[URIRef, Graph]:
        """The module's instance data, by named graph."""
        return read_graphs(self.module.data)

    @property
    def core_data(self) -> dict[URIRef, Graph]:
        """The core knowledge base, by named graph."""
        return core_data()

    def all_shapes(self) -> Graph:
        """The core's shapes and the module's."""
        return core_shapes_graph() + self.shapes

    def everything(self) -> Graph:
        """Everything the module ships: ontology, shapes and data."""
        return self.ontology + self.shapes + union_graph(self.data.values())


@cache
def core_data() -> dict[URIRef, Graph]:
    """The core knowledge base (kb/data) by named graph; parsed once a process, do not modify it."""
    return read_graphs(core_kb_files())


@cache
def core_everything() -> Graph:
    """The core's ontology, shapes and data as one graph; built once a process, do not modify it."""
    return core_ontology_graph() + core_shapes_graph() + union_graph(core_data().values())


@cache
def core_rule_rows() -> dict[str, set[tuple[Node, ...]]]:
    """The rows each rule of ontology/qc gives over the core alone; computed once a process."""
    store = open_store("oxigraph:")
    try:
        store.add_quads((s, p, o, CORE_GRAPH) for s, p, o in core_everything())
        return {rule.name: _rows(store, rule) for rule in qc_files()}
    finally:
        store.close()


def check_syntax(context: ModuleContext) -> str:
    """Every RDF file of the module parses."""
    problems = []
    for entry in context.module.files():
        try:
            parse_file(entry)
        except RdfInputError as error:
            problems.append(str(error))
    if problems:
        raise _Failed(*problems)
    triples = len(context.everything())
    return f"syntax: {len(context.module.files())} file(s), {triples} triples"


def check_header(context: ModuleContext) -> str:
    """The ontology file declares the module's IRI and imports the core, resolved through the catalog."""
    module = context.module
    declared = sorted(context.ontology.subjects(RDF.type, OWL.Ontology), key=str)
    if declared != [module.iri]:
        found = ", ".join(f"<{iri}>" for iri in declared) or "none"
        raise _Failed(f"{module.ontology} must declare exactly one owl:Ontology, <{module.iri}>; found {found}")
    core = declared_ontologies(core_ontology_graph())
    imports = set(context.ontology.objects(module.iri, OWL.imports))
    if not imports & core:
        raise _Failed(
            f"<{module.iri}> must owl:imports the core, one of {', '.join(f'<{iri}>' for iri in sorted(core))}"
        )
    try:
        closure = context.closure
    except (ModuleError, RdfInputError) as error:
        raise _Failed(str(error)) from None
    return f"imports: {len(imports)} resolved through {module.catalog_file.name} ({len(closure)} triples with them)"


def _rows(store: Store, rule: Traversable, **kwargs: object) -> set[tuple[Node, ...]]:
    result = store.query(rule.read_text(encoding="utf-8"), **kwargs)  # type: ignore[arg-type]
    return {tuple(row[name] for name in result.variables if name in row) for row in result.rows}


def _show(row: tuple[Node, ...]) -> str:
    return " ".join(term.n3() for term in row)


def check_quality_rules(context: ModuleContext) -> str:
    """The quality rules: what the module adds to the core's rows, the module-only rules, built-in terms."""
    store = open_store("oxigraph:")
    try:
        store.add_quads((s, p, o, CORE_GRAPH) for s, p, o in core_everything())
        store.add_quads((s, p, o, MODULE_GRAPH) for s, p, o in context.everything())
        store.add_quads((s, p, o, MODULE_ONTOLOGY_GRAPH) for s, p, o in context.ontology)
        problems = []
        for rule in qc_files():
            added = _rows(store, rule, default_graphs=[CORE_GRAPH, MODULE_GRAPH]) - core_rule_rows()[rule.name]
            problems += [f"{_rule_name(rule)}: {_show(row)}" for row in sorted(added)]
        bindings = {"namespace": Literal(str(context.module.namespace))}
        for rule in module_qc_files():
            problems += [f"{_rule_name(rule)}: {_show(row)}" for row in sorted(_rows(store, rule, bindings=bindings))]
    finally:
        store.close()
    problems += [f"builtin-term-unknown: {term.n3()}" for term in sorted(unknown_builtin_terms(context.everything()))]
    if problems:
        raise _Failed(*problems)
    return f"quality rules: {len(qc_files()) + len(module_qc_files()) + 1} rule(s), no violation"


def _rule_name(rule: Traversable) -> str:
    return rule.name.removesuffix("-violation.rq")


def unknown_builtin_terms(graph: Graph) -> set[URIRef]:
    """IRIs (and datatypes) in the RDF, RDFS, OWL or XML Schema namespace that the vocabulary does not define."""
    found = set()
    for triple in graph:
        for term in triple:
            iri = term.datatype if isinstance(term, Literal) else term
            if not isinstance(iri, URIRef):
                continue
            for vocabulary in BUILTIN_VOCABULARIES:
                if iri.startswith(str(vocabulary._NS)) and iri not in vocabulary:
                    found.add(iri)
    return found


def check_shacl(context: ModuleContext) -> str:
    """The module's shapes are well-formed SHACL; the core's data and the module's conform to all the shapes."""
    try:
        pyshacl_validate(Graph(), shacl_graph=Graph() + context.shapes, meta_shacl=True)
    except ReportableRuntimeError as error:
        wanted = ("Focus Node:", "Result Path:", "Message:")
        lines = [line.strip() for line in str(error).splitlines() if line.strip().startswith(wanted)]
        raise _Failed(f"the module's shapes are not well-formed SHACL: {' '.join(lines) or str(error)}") from None
    if context.checked_in.conforms:
        return f"SHACL: conforms (checked in {context.checked_in.name})"
    data = [*context.core_data.values(), *context.data.values()]
    report = validate_shacl(data, shapes=context.all_shapes(), ontology=context.closure)
    if not report.conforms:
        raise _Failed(*(violation.describe() for violation in report.violations))
    return f"SHACL: conforms ({len(context.shapes)} triples of shapes of its own)"


def check_reasoner(context: ModuleContext) -> str:
    """HermiT finds the core, the module and their data consistent."""
    if context.checked_in.consistent:
        return f"reasoner: consistent (HermiT found {context.checked_in.name} consistent, and the module is part of it)"
    try:
        result = reason([*context.core_data.values(), *context.data.values()], ontology=context.closure)
    except ReasonerError as error:
        raise _Failed(str(error)) from None
    if not result.consistent:
        raise _Failed("HermiT finds the core ontology, the module and their data INCONSISTENT")
    return f"reasoner: consistent ({len(result.inferred)} triples inferred)"


def check_questions(context: ModuleContext) -> str:
    """Each competency question gives its expected answer over the core's data and the module's."""
    store = open_store("oxigraph:")
    problems = []
    try:
        for graphs in (context.core_data, context.data):
            store.add_quads((s, p, o, name) for name, graph in graphs.items() for s, p, o in graph)
        prefixes = {**PREFIXES, **_module_prefix(context)}
        for question in context.module.queries:
            problems += [f"{question.name}: {problem}" for problem in answer_problems(store, question, prefixes)]
    finally:
        store.close()
    if problems:
        raise _Failed(*problems)
    count = len(context.module.queries)
    return f"competency questions: {count} of {count} give their expected answers"


def _module_prefix(context: ModuleContext) -> dict[str, str]:
    prefix = context.ontology.value(context.module.iri, VANN_PREFIX)
    return {str(prefix): str(context.module.namespace)} if prefix is not None else {}


def compact(term: Node, prefixes: Mapping[str, str]) -> str:
    """A prefixed name for an IRI under a known namespace (the longest that matches), else the lexical form."""
    if isinstance(term, URIRef):
        matches = [(len(ns), f"{prefix}:{term[len(ns) :]}") for prefix, ns in prefixes.items() if term.startswith(ns)]
        return max(matches)[1] if matches else str(term)
    return str(term)


def answer_problems(store: Store, question: Traversable, prefixes: Mapping[str, str]) -> list[str]:
    """What is wrong with a question's answer (its file, its expected rows, or the rows themselves)."""
    text = question.read_text(encoding="utf-8")
    if not text.startswith("# Question: "):
        return ["the file must start with the question in words, '# Question: ...'"]
    expected_file = question.parent / question.name.replace(".rq", ".expected.json")  # type: ignore[attr-defined]
    try:
        expected = json.loads(expected_file.read_text(encoding="utf-8"))
        rows, known = expected["rows"], {**prefixes, **expected.get("prefixes", {})}
    except (OSError, ValueError, KeyError, TypeError) as error:
        return [f"no readable expected answer {expected_file.name} with a 'rows' list ({error})"]
    try:
        result = store.query(text)
    except StoreError as error:
        return [f"the query fails: {str(error).splitlines()[0]}"]
    if result.kind != "select":
        return ["a competency question must be a SELECT query"]
    got = Counter(frozenset((name, compact(value, known)) for name, value in row.items()) for row in result.rows)
    want = Counter(frozenset(row.items()) for row in rows)
    if got == want:
        return []
    return [f"missing rows {_rows_text(want - got)}; unexpected rows {_rows_text(got - want)}"]


def _rows_text(rows: Counter[frozenset[tuple[str, str]]]) -> str:
    return "[" + "; ".join(", ".join(f"{k}={v}" for k, v in sorted(row)) for row in rows.elements()) + "]"


CHECKS: dict[str, Callable[[ModuleContext], str]] = {
    "syntax": check_syntax,
    "header": check_header,
    "quality rules": check_quality_rules,
    "SHACL": check_shacl,
    "reasoner": check_reasoner,
    "competency questions": check_questions,
}
"""The checks, in the order they run; syntax and header must pass for the others to run."""

PREREQUISITES = ("syntax", "header")


def check_module(module: Module, checks: Iterable[str] | None = None, checked_in: Whole | None = None) -> ModuleReport:
    """Run the checks named (default: all of ``CHECKS``) on a module and report what each found.

    ``checked_in`` is a whole that contains the module and was already reasoned over or validated (the core
    with every packaged module): what it passed is not run again on the module alone.
    """
    wanted = list(CHECKS) if checks is None else [name for name in CHECKS if name in set(checks)]
    report = ModuleReport(module)
    context = ModuleContext(module, checked_in)
    for name in [*PREREQUISITES, *(n for n in wanted if n not in PREREQUISITES)]:
        try:
            line = CHECKS[name](context)
        except _Failed as failure:
            report.problems += [Problem(name, str(message)) for message in failure.args]
            if name in PREREQUISITES:
                report.skipped = [n for n in wanted if n not in PREREQUISITES]
                break
        except (ModuleError, RdfInputError) as error:
            report.problems.append(Problem(name, str(error)))
            report.skipped = [n for n in wanted if n not in (*PREREQUISITES, name)]
            break
        else:
            if name in wanted:
                report.passed.append(line)
    return report


def check_modules(
    extra: Iterable[Module] = (), *, reasoner: bool = True, packaged: Whole | None = None
) -> list[ModuleReport]:
    """Check every packaged module, then the ``extra`` ones (``module_at(PATH)``, modules not yet packaged).

    ``packaged`` says what the core with every packaged module already passed (see ``Whole``); without
    ``reasoner`` no module is reasoned over.
    """
    checks = [name for name in CHECKS if reasoner or name != "reasoner"]
    reports = [check_module(module, checks, packaged) for module in discover()]
    return reports + [check_module(module, checks) for module in extra]

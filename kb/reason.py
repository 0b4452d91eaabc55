"""OWL 2 reasoning with owlready2 and HermiT: is the ontology with the data consistent, and what follows from it.

Each call runs in a fresh owlready2 ``World``, so calls never see each other's data. Two preparations:

- HermiT accepts only literals of the OWL 2 datatype map (https://www.w3.org/TR/owl2-syntax/#Datatype_Maps)
  and stops at any other (``xsd:gYear`` in a ``time:year``, ``xsd:date`` in ``dct:issued``). Triples with
  such literals are left out of the reasoner's input; ``ReasoningResult.dropped`` counts them. They carry
  no axiom the ontology reasons with.
- ``owl:imports`` is left out of the reasoner's input: owlready2 would load each imported IRI, from the web
  or from a local file, and data must never make StanceKB connect out or read a file (docs/security.md).
  The caller passes the imports closure: the project's ontology holds the core and every module, and
  ``stancekb.modules.with_imports`` reads a module's imports from the local files its catalog names.
- HermiT names only IRIs in its answers, so blank nodes of the data are replaced by IRIs for the run and
  turned back into the same blank nodes in the inferred triples. (Not with rdflib's ``skolemize``: the
  OWL API reads its ``/.well-known/genid/`` IRIs as anonymous individuals again.) The ontology's blank
  nodes (restrictions, lists) stay as they are.

owlready2 keeps one direction of a pair of inverse properties and writes the other direction of an inferred
or asserted value nowhere, so ``inferred`` adds it (OWL 2 RL rules prp-inv1 and prp-inv2,
https://www.w3.org/TR/owl2-profiles/#Reasoning_in_OWL_2_RL_and_RDF_Graphs_using_Rules).
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import owlready2
from rdflib import OWL, RDF, RDFS, XSD, BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from stancekb.resources import ontology_graph
from stancekb.validate import union_graph

OWL2_DATATYPES: frozenset[URIRef] = frozenset(
    {RDF.PlainLiteral, RDF.XMLLiteral, RDF.langString, RDFS.Literal, OWL.real, OWL.rational}
    | {
        XSD[name]
        for name in (
            "decimal",
            "integer",
            "nonNegativeInteger",
            "nonPositiveInteger",
            "positiveInteger",
            "negativeInteger",
            "long",
            "int",
            "short",
            "byte",
            "unsignedLong",
            "unsignedInt",
            "unsignedShort",
            "unsignedByte",
            "double",
            "float",
            "string",
            "normalizedString",
            "token",
            "language",
            "Name",
            "NCName",
            "NMTOKEN",
            "boolean",
            "hexBinary",
            "base64Binary",
            "anyURI",
            "dateTime",
            "dateTimeStamp",
        )
    }
)
"""The datatypes of the OWL 2 datatype map, https://www.w3.org/TR/owl2-syntax/#Datatype_Maps."""

_INFERENCES = "http://inferrences/"  # the ontology owlready2 writes HermiT's conclusions into
_BLANK = "urn:x-stancekb:blank:"  # IRIs that stand for the data's blank nodes during a run


class ReasonerError(RuntimeError):
    """The reasoner could not run (no Java, or HermiT failed); the message says why."""


@dataclass
class ReasoningResult:
    """Whether ontology and data are consistent, and the triples HermiT infers (empty when inconsistent)."""

    consistent: bool
    inferred: Graph
    dropped: int


def find_java() -> str:
    """The Java executable owlready2 will run (``owlready2.JAVA_EXE``, looked up on the PATH)."""
    java = shutil.which(owlready2.JAVA_EXE)
    if java is None:
        raise ReasonerError(
            f"Java was not found ({owlready2.JAVA_EXE!r} is not on the PATH): HermiT needs a Java runtime, "
            "version 11 or later; install one (e.g. apt-get install default-jre-headless) or set owlready2.JAVA_EXE"
        )
    return java


def reason(data: Graph | Dataset | Iterable[Graph], ontology: Graph | None = None) -> ReasoningResult:
    """Run HermiT on the ontology (default: the project's) together with the data (all graphs merged)."""
    java = find_java()
    asserted = _replace_terms(union_graph(data), lambda t: URIRef(_BLANK + t) if isinstance(t, BNode) else t)
    asserted += ontology if ontology is not None else ontology_graph()
    asserted.remove((None, OWL.imports, None))  # owlready2 would load each import, from the web or a file
    reasoner_input = Graph()
    for triple in asserted:
        if not isinstance(triple[2], Literal) or triple[2].datatype in (None, *OWL2_DATATYPES):
            reasoner_input.add(triple)
    world = owlready2.World()
    previous_java, owlready2.JAVA_EXE = owlready2.JAVA_EXE, java
    try:
        world.get_ontology("urn:stancekb:reasoner-input").load(
            fileobj=io.BytesIO(reasoner_input.serialize(format="nt", encoding="utf-8")), format="ntriples"
        )
        owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
        output = io.BytesIO()
        world.get_ontology(_INFERENCES).save(output, format="ntriples")
    except owlready2.OwlReadyInconsistentOntologyError:
        return ReasoningResult(consistent=False, inferred=Graph(), dropped=len(asserted) - len(reasoner_input))
    except owlready2.OwlReadyJavaError as error:
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        raise ReasonerError(f"HermiT failed: {' '.join(lines[1:3]) or lines[0]}") from None
    finally:
        owlready2.JAVA_EXE = previous_java
        world.close()
    return ReasoningResult(
        consistent=True,
        inferred=_inferred(asserted, Graph().parse(data=output.getvalue(), format="nt")),
        dropped=len(asserted) - len(reasoner_input),
    )


def _inferred(asserted: Graph, conclusions: Graph) -> Graph:
    """HermiT's conclusions with both directions of inverse properties, less the asserted and the trivial."""
    conclusions.remove((URIRef(_INFERENCES.rstrip("/")), None, None))
    conclusions.remove((None, RDF.type, OWL.Thing))
    closure = asserted + conclusions
    for p, q in closure.subject_objects(OWL.inverseOf):
        for forward, backward in ((p, q), (q, p)):
            for s, o in list(closure.subject_objects(forward)):
                closure.add((o, backward, s))
    return _replace_terms(
        closure - asserted, lambda t: BNode(t[len(_BLANK) :]) if isinstance(t, URIRef) and t.startswith(_BLANK) else t
    )


def _replace_terms(graph: Graph, replace: Callable[[Node], Node]) -> Graph:
    """A copy of the graph with every term replaced as the function says."""
    result = Graph()
    for s, p, o in graph:
        result.add((replace(s), replace(p), replace(o)))
    return result

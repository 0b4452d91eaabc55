"""Ontology modules (stancekb.modules, stancekb.module_check): the worked module passes every check, broken ones fail.

Each broken module is the worked module (ontology/modules/burden-sharing) copied into a temporary project
layout (``ontology/stance.ttl`` beside ``ontology/modules/NAME/``, so that its catalog resolves) with one
thing broken; the test runs the check that must catch it and asserts the problem is named.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import OWL, RDF, Graph, URIRef
from typer.testing import CliRunner

from stancekb.cli import app
from stancekb.module_check import CHECKS, check_module
from stancekb.modules import MODULE_BASE, ModuleError, discover, module_at, modules_folder, with_imports
from stancekb.namespaces import ONTOLOGY_IRI
from stancekb.resources import (
    core_ontology_files,
    kb_files,
    ontology_files,
    ontology_graph,
    shapes_files,
    shapes_graph,
)

WORKED = "burden-sharing"
PREFIXES = """
@prefix bsh: <https://w3id.org/stancekb/ontology/modules/burden-sharing#> .
@prefix skb: <https://w3id.org/stancekb/ontology#> . @prefix skr: <https://w3id.org/stancekb/id/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> . @prefix ex: <https://example.org/> .
@prefix rsab: <https://w3id.org/stancekb/id/rutte-stands-alone-new-nato/burden-sharing/> .
@prefix rsa: <https://w3id.org/stancekb/id/rutte-stands-alone-new-nato/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
"""


def worked_folder() -> Path:
    return Path(str(modules_folder() / WORKED))


def copy_module(tmp_path: Path, name: str = WORKED) -> Path:
    """The worked module in a temporary project layout, under the name given."""
    ontology = tmp_path / "ontology"
    (ontology / "modules").mkdir(parents=True)
    shutil.copy(Path(str(core_ontology_files()[0])), ontology / "stance.ttl")
    folder = ontology / "modules" / name
    shutil.copytree(worked_folder(), folder)
    if name != WORKED:
        (folder / f"{WORKED}.ttl").rename(folder / f"{name}.ttl")
    return folder


def append(path: Path, turtle: str) -> None:
    """Add Turtle statements to a module file (into the named graph of a TriG data file)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".trig":
        head, _, tail = text.rpartition("}")
        text = head + turtle + "\n}" + tail
    else:
        text += turtle
    prefixes = "".join(line + "\n" for line in PREFIXES.splitlines() if line and line not in text)
    path.write_text(prefixes + text, encoding="utf-8")


def ontology_of(folder: Path) -> Path:
    return folder / f"{folder.name}.ttl"


def data_of(folder: Path) -> Path:
    return folder / "data" / "rutte-stands-alone-new-nato.trig"


def problems(folder: Path, check: str) -> list[str]:
    """The problems the named check (after the syntax and header checks) finds in the module."""
    report = check_module(module_at(folder), [check])
    assert not report.ok, "\n".join(report.lines())
    return [f"{problem.check}: {problem.message}" for problem in report.problems]


# ---------------------------------------------------------------------------------------------
# Discovery and loading
# ---------------------------------------------------------------------------------------------


def test_the_worked_module_is_discovered_with_its_parts() -> None:
    (module,) = [m for m in discover() if m.name == WORKED]
    assert module.iri == URIRef(MODULE_BASE + WORKED)
    assert [entry.name for entry in module.shapes] == ["shapes.ttl"]
    assert [entry.name for entry in module.data] == ["rutte-stands-alone-new-nato.trig"]
    assert len(module.queries) == 3


def test_every_consumer_sees_core_and_module() -> None:
    (module,) = [m for m in discover() if m.name == WORKED]
    assert module.ontology in ontology_files() and module.shapes[0] in shapes_files() and module.data[0] in kb_files()
    assert (module.iri, RDF.type, OWL.Ontology) in ontology_graph()
    assert (URIRef("https://w3id.org/stancekb/shapes/modules/burden-sharing#ContributionShape"), None, None) in (
        shapes_graph()
    )


def test_the_catalog_resolves_the_core_locally() -> None:
    (module,) = [m for m in discover() if m.name == WORKED]
    catalog = module.catalog()
    assert Path(str(catalog.resolve(ONTOLOGY_IRI))).resolve() == Path(str(core_ontology_files()[0])).resolve()
    closure = with_imports(Graph().parse(str(module.ontology)), catalog)
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in closure


def test_a_single_file_module_is_found(tmp_path: Path) -> None:
    folder = tmp_path / "modules"
    folder.mkdir()
    (folder / "tiny.ttl").write_text("", encoding="utf-8")
    (module,) = discover(folder)
    assert module.name == "tiny" and module.catalog_file.name == "catalog-v001.xml" and not module.shapes


def test_a_folder_without_its_ontology_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModuleError, match=r"must hold its ontology as empty\.ttl"):
        module_at(tmp_path / "empty")


# ---------------------------------------------------------------------------------------------
# The worked module passes every check, HermiT included
# ---------------------------------------------------------------------------------------------


def test_the_worked_module_passes_every_check() -> None:
    (module,) = [m for m in discover() if m.name == WORKED]
    report = check_module(module)
    assert report.ok, "\n".join(report.lines())
    assert [line.split(":")[0] for line in report.passed] == [
        "syntax",
        "imports",
        "quality rules",
        "SHACL",
        "reasoner",
        "competency questions",
    ]
    assert "3 of 3" in report.passed[-1]


# ---------------------------------------------------------------------------------------------
# Broken modules: each fails with its named problem
# ---------------------------------------------------------------------------------------------


def test_a_syntax_error_is_named_with_file_and_line(tmp_path: Path) -> None:
    folder = copy_module(tmp_path)
    append(folder / "shapes.ttl", "\nbsh:Broken a \n")
    report = check_module(module_at(folder))
    assert [p.check for p in report.problems] == ["syntax"]
    assert "shapes.ttl:" in report.problems[0].message
    assert report.skipped == [name for name in CHECKS if name not in ("syntax", "header")]


def test_the_ontology_must_have_the_module_iri(tmp_path: Path) -> None:
    folder = copy_module(tmp_path, "pledges")
    (found,) = problems(folder, "syntax")
    assert "must declare exactly one owl:Ontology, <https://w3id.org/stancekb/ontology/modules/pledges>" in found


def test_the_module_must_import_the_core(tmp_path: Path) -> None:
    folder = copy_module(tmp_path)
    text = ontology_of(folder).read_text(encoding="utf-8")
    ontology_of(folder).write_text(text.replace("owl:imports <https://w3id.org/stancekb/ontology> ;", ""), "utf-8")
    (found,) = problems(folder, "syntax")
    assert "must owl:imports the core" in found


def test_an_import_missing_from_the_catalog_is_not_fetched(tmp_path: Path) -> None:
    folder = copy_module(tmp_path)
    (folder / "catalog-v001.xml").unlink()
    (found,) = problems(folder, "syntax")
    assert "no <uri> entry maps the import <https://w3id.org/stancekb/ontology>" in found
    assert "never fetched from the network" in found


def test_a_catalog_entry_must_be_a_local_file(tmp_path: Path) -> None:
    folder = copy_module(tmp_path)
    catalog = folder / "catalog-v001.xml"
    catalog.write_text(
        catalog.read_text("utf-8").replace("../../stance.ttl", "https://example.org/stance.ttl"), "utf-8"
    )
    (found,) = problems(folder, "syntax")
    assert "must map to a local file, not to https://example.org/stance.ttl" in found


# One case per quality rule: what to add to which file, and the problem that names it.
PLEDGE = "bsh:Pledge a owl:Class ; rdfs:label 'pledge'@en ; skos:definition 'A promise.'@en ."

# One case per quality rule (and per kind of redefinition): which file to add to, what, and the term named.
QC_CASES: dict[str, tuple[str, Callable[[Path], Path], str, str]] = {
    "term-without-label": (
        "term-without-label",
        ontology_of,
        "bsh:Pledge a owl:Class ; skos:definition 'x'@en .",
        "bsh#Pledge",
    ),
    "term-without-definition": (
        "term-without-definition",
        ontology_of,
        "bsh:Pledge a owl:Class ; rdfs:label 'pledge'@en .",
        "bsh#Pledge",
    ),
    "redefined-domain": (
        "term-redefined",
        ontology_of,
        "skb:issuedBy rdfs:domain bsh:SpendingGuideline .",
        "ontology#issuedBy",
    ),
    "redefined-range": ("term-redefined", ontology_of, "skb:appliesTo rdfs:range skb:State .", "ontology#appliesTo"),
    "redefined-label": (
        "term-redefined",
        ontology_of,
        "skb:Policy rdfs:label 'spending policy'@en .",
        "ontology#Policy",
    ),
    "redefined-superclass": (
        "term-redefined",
        ontology_of,
        "skb:Policy rdfs:subClassOf bsh:SpendingGuideline .",
        "ontology#Policy",
    ),
    "term-outside-namespace": (
        "term-outside-namespace",
        ontology_of,
        "ex:Pledge a owl:Class ; rdfs:label 'pledge'@en .",
        "example.org/Pledge",
    ),
    "builtin-vocabulary-redefined": (
        "builtin-vocabulary-redefined",
        ontology_of,
        "rdfs:label rdfs:comment 'a name' .",
        "rdf-schema#label",
    ),
    "builtin-term-unknown": ("builtin-term-unknown", ontology_of, "bsh:Pledge a owl:Klass .", "owl#Klass"),
    "undeclared-module-term": (
        "undeclared-term",
        data_of,
        "rsab:contribution-allies-defence-spending bsh:pledgedBy skr:nato .",
        "#pledgedBy",
    ),
    "undeclared-core-term": (
        "undeclared-term",
        data_of,
        "rsa:policy-two-percent skb:isuedBy skr:nato .",
        "ontology#isuedBy",
    ),
    "dangling-resource": (
        "dangling-resource",
        data_of,
        "rsab:contribution-allies-defence-spending bsh:supplier skr:nowhere .",
        "id/nowhere",
    ),
    "class-without-shape": ("class-without-shape", data_of, "rsab:pledge-1 a bsh:Pledge .", "bsh#Pledge"),
}


@pytest.mark.parametrize("case", sorted(QC_CASES))
def test_each_quality_rule_names_its_violation(tmp_path: Path, case: str) -> None:
    rule, where, turtle, term = QC_CASES[case]
    folder = copy_module(tmp_path)
    if rule == "class-without-shape":
        append(ontology_of(folder), "\n" + PLEDGE.replace("'", '"') + "\n")
    append(where(folder), "\n" + turtle.replace("'", '"') + "\n")
    found = problems(folder, "quality rules")
    term = term.replace("bsh#", "burden-sharing#")
    assert [p for p in found if p.startswith(f"quality rules: {rule}: ") and term in p], found


def test_the_ontology_header_rule_applies_to_modules(tmp_path: Path) -> None:
    folder = copy_module(tmp_path)
    text = ontology_of(folder).read_text(encoding="utf-8")
    ontology_of(folder).write_text(text.replace("dct:license <https://creativecommons.org/licenses/by/4.0/> ;", ""))
    found = problems(folder, "quality rules")
    assert found == [f'quality rules: ontology-header: <{MODULE_BASE}{WORKED}> "dct:license"']


def test_restating_a_core_triple_is_not_a_redefinition(tmp_path: Path) -> None:
    folder = copy_module(tmp_path)
    append(ontology_of(folder), '\nskb:Policy a owl:Class ; rdfs:label "policy"@en .\n')
    report = check_module(module_at(folder), ["quality rules"])
    assert report.ok, "\n".join(report.lines())


def test_shacl_failures_name_the_module_shape(tmp_path: Path) -> None:
    folder = copy_module(tmp_path)
    data = data_of(folder)
    text = data.read_text(encoding="utf-8")
    data.write_text(
        text.replace(
            "    bsh:contributor skr:nato-member-states ;\n    bsh:contributionKind bsh:Arms",
            "    bsh:contributionKind bsh:Arms",
        )
    )
    found = problems(folder, "SHACL")
    assert len(found) == 1, found
    assert "contribution-allies-buy-us-weapons" in found[0] and "Contribution-contributor" in found[0]


def test_an_inconsistent_module_is_caught_by_hermit(tmp_path: Path) -> None:
    """bsh:contributionKind is functional and its two values are owl:AllDifferent: a second kind contradicts it."""
    folder = copy_module(tmp_path)
    append(data_of(folder), "\nrsab:contribution-allies-defence-spending bsh:contributionKind bsh:ArmsPurchase .\n")
    assert problems(folder, "reasoner") == [
        "reasoner: HermiT finds the core ontology, the module and their data INCONSISTENT"
    ]


def test_a_wrong_expected_answer_is_named(tmp_path: Path) -> None:
    folder = copy_module(tmp_path)
    expected = folder / "queries" / "02-guidelines-prompted-by.expected.json"
    answer = json.loads(expected.read_text(encoding="utf-8"))
    answer["rows"][0]["year"] = "2015"
    expected.write_text(json.dumps(answer), encoding="utf-8")
    (found,) = problems(folder, "competency questions")
    assert found.startswith("competency questions: 02-guidelines-prompted-by.rq: missing rows [")
    assert "year=2015" in found and "unexpected rows [event=rsa:event-aggression-in-donbas" in found


def test_a_broken_question_is_named(tmp_path: Path) -> None:
    folder = copy_module(tmp_path)
    (folder / "queries" / "04-broken.rq").write_text("# Question: broken?\nSELECT ?x WHERE { ?x ", encoding="utf-8")
    (folder / "queries" / "04-broken.expected.json").write_text('{"rows": []}', encoding="utf-8")
    (found,) = problems(folder, "competency questions")
    assert found.startswith("competency questions: 04-broken.rq: the query fails: ")


def test_validate_names_the_module_and_its_failure(tmp_path: Path) -> None:
    folder = copy_module(tmp_path, "pledges")
    text = ontology_of(folder).read_text(encoding="utf-8").replace("modules/burden-sharing>", "modules/pledges>")
    ontology_of(folder).write_text(
        text + "\n<https://w3id.org/stancekb/ontology/modules/pledges#Pledge> a owl:Class .\n"
    )
    result = CliRunner().invoke(app, ["validate", "--no-reason", "--module", str(folder)])
    assert result.exit_code == 1, result.output
    assert "module burden-sharing (" in result.output and "): ok" in result.output
    assert "module pledges (" in result.output and "): FAILED" in result.output
    assert "FAILED quality rules: term-without-label: <https://w3id.org/stancekb/ontology/modules/pledges#Pledge>" in (
        result.output
    )


def test_validate_refuses_a_path_that_is_no_module(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["validate", "--no-reason", "--module", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "no such module folder or file" in result.output


def test_ill_formed_module_shapes_are_named(tmp_path: Path) -> None:
    folder = copy_module(tmp_path)
    append(
        folder / "shapes.ttl",
        '\n<https://w3id.org/stancekb/shapes/modules/burden-sharing#Contribution-kind> sh:maxCount "one" .\n',
    )
    (found,) = problems(folder, "SHACL")
    assert found.startswith("SHACL: the module's shapes are not well-formed SHACL: Focus Node: <")
    assert "maxCount" in found

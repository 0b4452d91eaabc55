"""The pictures (stancekb.pictures) and `stancekb draw`: models from the queries, SVG and PNG that parse.

Checked on the first source: its actors and edges are in the models and in the SVG (the Europe -> United
States troops edge says "84,000 troops", the Paris meetings outside NATO's framework are in a region apart
from the White House meeting), labels do not overlap, the filters select, the same KB draws the same bytes.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from PIL import Image
from rdflib import URIRef
from test_cli import invoke

from stancekb.load import graphs_of, load_packaged_kb
from stancekb.pictures import PictureError, PictureJob, Rendered, UnknownSource, png
from stancekb.pictures.common import Filters
from stancekb.pictures.network import _box
from stancekb.rdfio import parse_bytes
from stancekb.store import Store, open_store

SVG = "{http://www.w3.org/2000/svg}"
SKR = "https://w3id.org/stancekb/id/"
RSA = SKR + "rutte-stands-alone-new-nato/"
FIRST_SOURCE = URIRef(SKR + "rutte-stands-alone-new-nato")
OTHER_SOURCE = URIRef("https://example.org/other-article")
OTHER = f"""
@prefix skb: <https://w3id.org/stancekb/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/graph/other> {{
  <https://example.org/graph/other> prov:wasDerivedFrom <{OTHER_SOURCE}> .
  <{OTHER_SOURCE}> a skb:SourceDocument ; dct:title "Another article" .
  <https://example.org/holder> a skb:Person ; rdfs:label "Someone Else" .
  <https://example.org/stance> a skb:Stance ; skb:holder <https://example.org/holder> ;
      skb:target <{SKR}nato> ; skb:polarity skb:Against ; skb:topic <{SKR}topic-nato-relevance> .
}}
"""


@pytest.fixture(scope="module")
def kb() -> Iterator[Store]:
    """The packaged KB, plus a second source's graph (one stance against NATO) to filter by source."""
    store = open_store("oxigraph:")
    assert load_packaged_kb(store).committed
    other = parse_bytes(OTHER.encode(), ox.RdfFormat.TRIG)
    store.replace_graphs(graphs_of(other, URIRef("https://example.org/graph/other")))
    yield store
    store.close()


def drawn(kb: Store, name: str, **filters: Any) -> Rendered:
    return PictureJob(name, Filters(**filters))(kb)


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG}svg" and float(root.get("width", 0)) > 100 and float(root.get("height", 0)) > 100
    return root


def elements(root: ET.Element, cls: str) -> list[ET.Element]:
    return [element for element in root.iter() if element.get("class") == cls]


def texts(root: ET.Element) -> str:
    return " ".join("".join(element.itertext()) for element in root.iter(f"{SVG}text"))


def test_stance_map_has_the_first_sources_actors_cells_and_quotes(kb: Store) -> None:
    rendered = drawn(kb, "stance-map", source=FIRST_SOURCE)
    model = rendered.model
    rows = {row["label"] for row in model["rows"]}
    assert {"Giedrimas Jeglinskas", "Giuseppe Spatafora", "Mark Rutte", "a NATO official"} <= rows
    assert "Someone Else" not in rows, "the source filter let another source's stance in"
    cells = {(cell["row"], cell["column"]): cell for cell in model["cells"]}
    spatafora = cells[SKR + "giuseppe-spatafora", SKR + "topic-transatlantic-relations"]
    assert spatafora["polarity"] == "against"
    assert any("transatlantic relations are strong when they aren't" in q for q in spatafora["stances"][0]["quotes"])
    jeglinskas = cells[SKR + "giedrimas-jeglinskas", SKR + "topic-secretary-general-role"]
    assert jeglinskas["strength"] == "strong"
    assert jeglinskas["stances"][0]["source_title"] == "Rutte Stands Alone in the 'New NATO'"

    root = parse(rendered.svg)
    drawn_cells = elements(root, "cell")
    assert len(drawn_cells) == len(model["cells"])
    cell = next(
        c
        for c in drawn_cells
        if c.get("data-holder") == SKR + "giuseppe-spatafora" and c.get("data-polarity") == "against"
    )
    assert "Trump that NATO is lost without him" in (cell.findtext(f"{SVG}title") or "")
    assert {e.text for e in elements(root, "row-label")} == rows


def test_stance_map_by_target_has_a_column_per_proposition(kb: Store) -> None:
    model = drawn(kb, "stance-map", by="target").model
    columns = {column["id"] for column in model["columns"]}
    assert RSA + "prop-rutte-must-keep-us-in-nato" in columns and SKR + "ukraine" in columns
    assert SKR + "nato" in columns, "the other source's stance on NATO is there without a source filter"


def test_network_has_the_troops_edge_and_the_paris_meetings_apart(kb: Store) -> None:
    rendered = drawn(kb, "network")
    model = rendered.model
    edges = {(e["relation"], e["source"], e["target"]): e for e in model["edges"]}
    troops = edges["dependency", SKR + "european-nations", SKR + "united-states"]
    assert "84,000 troops" in troops["label"]
    assert edges["dependency", SKR + "nato", SKR + "united-states"]["label"].count(",") >= 3  # five dependums
    assert ("absentee", SKR + "mark-rutte", RSA + "meeting-paris") in edges
    assert ("excludes", RSA + "bloc-european-five", SKR + "united-states") in edges
    assert ("bloc-member", SKR + "poland", RSA + "bloc-european-five") in edges
    former = edges["office", SKR + "mark-rutte", SKR + "netherlands"]
    assert former["former"] and former["label"] == "former head of government"

    nodes = {node["id"]: node for node in model["nodes"]}
    kinds = {nodes[SKR + iri]["kind"] for iri in ("mark-rutte", "united-states", "nato", "european-nations")}
    assert kinds == {"person", "state", "organisation", "group"}
    assert nodes[RSA + "nato-official"]["kind"] == "anonymous"
    [region] = model["regions"]
    assert region["label"] == "Outside NATO's framework"
    assert nodes[RSA + "meeting-paris"]["region"] == region["id"]
    assert {RSA + "diplomats", RSA + "nato-generals"} <= set(region["nodes"])
    assert nodes[RSA + "meeting-white-house"]["region"] == "main"
    x0, y0 = region["x"], region["y"]
    x1, y1 = x0 + region["width"], y0 + region["height"]
    for node in model["nodes"]:
        inside = x0 <= node["x"] <= x1 and y0 <= node["y"] <= y1
        assert inside == (node["region"] == region["id"]), f"{node['label']} is on the wrong side of the region"

    root = parse(rendered.svg)
    edge = next(
        e
        for e in elements(root, "edge")
        if e.get("data-source") == SKR + "european-nations" and e.get("data-target") == SKR + "united-states"
    )
    assert "84,000 troops" in "".join(
        next(t for t in elements(root, "edge-label") if t.get("data-edge") == edge.get("data-id")).itertext()
    )
    assert {e.get("data-id") for e in elements(root, "node")} == set(nodes)
    assert "Outside NATO's framework" in texts(root)


def test_network_labels_do_not_overlap(kb: Store) -> None:
    from stancekb.pictures.network import build

    nodes = build(kb, Filters()).nodes
    for index, a in enumerate(nodes):
        for b in nodes[index + 1 :]:
            ax0, ay0, ax1, ay1 = _box(a)
            bx0, by0, bx1, by1 = _box(b)
            assert min(ax1, bx1) <= max(ax0, bx0) or min(ay1, by1) <= max(ay0, by0), f"{a.label} / {b.label}"


def test_timeline_places_items_as_the_source_does(kb: Store) -> None:
    rendered = drawn(kb, "timeline", source=FIRST_SOURCE)
    model = rendered.model
    columns = [column["id"] for column in model["columns"]]
    assert columns == ["year-1949", "year-2014", "year-2022", "before", "now", "named-Thursday"]
    items = {item["id"]: item for item in model["items"]}
    assert items[RSA + "event-creation-of-nato"]["column"] == "year-1949"
    assert items[RSA + "meeting-white-house"]["column"] == "named-Thursday"
    assert items[RSA + "meeting-defence-official-washington"]["column"] == "before"
    assert items[RSA + "meeting-paris"]["lane"] == "meeting"
    assert items[RSA + "event-annexation-of-crimea"]["lane"] == "history"
    root = parse(rendered.svg)
    assert {e.get("data-id") for e in elements(root, "item")} == set(items)
    assert "Rutte's meeting with Trump at" in texts(root)


@pytest.mark.parametrize(
    ("name", "time", "present", "absent"),
    [
        ("network", "now", RSA + "meeting-paris", SKR + "netherlands"),  # Rutte's former office is gone
        ("network", "before", SKR + "netherlands", RSA + "meeting-paris"),
        ("timeline", "dated", RSA + "event-creation-of-nato", RSA + "meeting-paris"),
        ("stance-map", "before", SKR + "european-nations", SKR + "giedrimas-jeglinskas"),
    ],
)
def test_time_filter(kb: Store, name: str, time: str, present: str, absent: str) -> None:
    root = parse(drawn(kb, name, time=time).svg)
    ids = {e.get(key) for e in root.iter() for key in ("data-id", "data-holder") if e.get(key)}
    assert present in ids and absent not in ids


def test_bad_filters_are_refused(kb: Store) -> None:
    with pytest.raises(PictureError, match="time: 'later' is not one of all, now, before, dated"):
        Filters(time="later")
    with pytest.raises(PictureError, match="by: 'colour'"):
        Filters(by="colour")
    with pytest.raises(UnknownSource, match=r"no source document https://example\.org/nothing"):
        drawn(kb, "network", source=URIRef("https://example.org/nothing"))
    with pytest.raises(PictureError, match="no picture 'pie'"):
        PictureJob("pie")(kb)


def test_an_empty_picture_says_so(kb: Store) -> None:
    root = parse(drawn(kb, "timeline", source=OTHER_SOURCE).svg)
    assert "No dated or placed event matches these filters." in texts(root)


def test_the_same_kb_draws_the_same_bytes(kb: Store) -> None:
    assert drawn(kb, "network").svg == drawn(kb, "network").svg


def test_png_is_rendered_from_the_svg(kb: Store) -> None:
    rendered = drawn(kb, "timeline")
    image = Image.open(io.BytesIO(png(rendered.svg)))
    root = parse(rendered.svg)
    assert image.format == "PNG" and image.width == 2 * float(root.get("width", 0))
    assert len(image.convert("RGB").getcolors(1 << 20) or []) > 50, "the PNG is (almost) blank"


@pytest.mark.parametrize("name", ["stance-map", "network", "timeline"])
def test_draw_command_writes_svg(tmp_path: Path, name: str) -> None:
    svg = tmp_path / f"{name}.svg"
    result = invoke("--store", "oxigraph:", "draw", name, "--source", str(FIRST_SOURCE), "-o", svg)
    assert result.exit_code == 0, result.output
    root = parse(svg.read_text(encoding="utf-8"))
    assert root.get("data-picture") == name and "Rutte" in texts(root)


def test_draw_command_writes_png(tmp_path: Path) -> None:
    """PNG by the file's suffix, or by --format to standard output."""
    image = tmp_path / "timeline.png"
    result = invoke("draw", "timeline", "-o", image)
    assert result.exit_code == 0, result.output
    assert Image.open(image).format == "PNG"
    result = invoke("draw", "timeline", "--format", "png")
    assert result.exit_code == 0 and result.stdout_bytes == image.read_bytes()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["network", "--time", "later"], "--time: 'later' is not one of"),
        (["network", "--source", "not an iri"], "--source: 'not an iri' is not a valid IRI"),
        (["network", "--source", "https://example.org/nothing"], "--source: no source document"),
        (["network", "--format", "gif"], "--format: 'gif' is not one of svg, png"),
        (["pie"], "no picture 'pie'"),
    ],
)
def test_draw_command_names_bad_input(arguments: list[str], message: str) -> None:
    result = invoke("draw", *arguments)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output


def test_a_remote_endpoint_draws_the_same_models(kb: Store, virtuoso_store: Store) -> None:
    """The queries are portable: a remote SPARQL endpoint (the session's Virtuoso) gives Oxigraph's models."""
    assert load_packaged_kb(virtuoso_store).committed
    for name in ("stance-map", "network", "timeline"):
        for time in ("all", "now"):
            expected = drawn(kb, name, source=FIRST_SOURCE, time=time).model
            assert drawn(virtuoso_store, name, source=FIRST_SOURCE, time=time).model == expected, (name, time)

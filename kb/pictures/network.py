"""The network: actors and meetings as nodes; dependencies, blocs, offices and meeting attendance as edges.

Edges of one relation between the same two nodes are drawn as one, labelled with everything they say
(``RELATIONS``): a dependency with what is depended on and how much ("84,000 troops"), an office with the role
(former ones dashed), a meeting's host and absentees. A meeting held outside (or within) an organisation's
framework is drawn in a region of its own, with the actors that only attend it, apart from the rest: so the
Paris meetings outside NATO's framework stand apart from the White House meeting.

Layout: a force-directed layout (Fruchterman and Reingold, 1991) from positions drawn with a fixed seed, each
node kept in its region, then nodes moved apart until no two labels overlap. The same KB gives the same
picture. Query: ``network.rq`` (and ``nodes.rq`` for labels and classes).
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from stancekb.namespaces import SKB
from stancekb.pictures.common import Filters, Labels, Picture, as_json, rows, text
from stancekb.pictures.svg import INK, MUTED, Drawing, LegendEntry, details, shorten, text_width, wrap
from stancekb.store import Store

SEED = 20261201
WIDTH, HEIGHT = 1500.0, 980.0
REGION_WIDTH = 330.0
"""Width of the column in which framework regions (meetings outside or within a framework) are drawn."""
LABEL_SIZE = 11.0
EDGE_LABEL_SIZE = 9.5
MARGIN = 30.0
SPREAD = 0.6
"""The layout's usual distance between nodes, as a share of the square root of the area per node."""
GRAVITY = 0.1
"""How strongly nodes are drawn to their area's centre (keeps them off the edges)."""
STEPS = 250
CLEARING_ROUNDS = 40
"""Rounds in which nodes are also moved off the edges that cross them (it need not converge: it stops)."""
NODE_LABEL_WIDTH = 290.0
"""The widest a node's label is drawn (the full label is its hover text)."""


@dataclass(frozen=True)
class Kind:
    """How a kind of node is drawn: its shape, fill, outline, and its name in the legend."""

    name: str
    shape: str
    fill: str
    label: str
    dashed: bool = False


KINDS: list[tuple[str, Kind]] = [
    (str(SKB.AnonymousSource), Kind("anonymous", "circle", "#ffffff", "anonymous source", dashed=True)),
    (str(SKB.UnnamedPerson), Kind("unnamed", "circle", "#f7e6c4", "unnamed person", dashed=True)),
    (str(SKB.Person), Kind("person", "circle", "#E69F00", "person")),
    (str(SKB.State), Kind("state", "square", "#56B4E9", "state")),
    (str(SKB.Bloc), Kind("bloc", "hexagon", "#CC79A7", "bloc")),
    (str(SKB.ActorGroup), Kind("group", "circle", "#F0E442", "group of actors")),
    (str(SKB.Meeting), Kind("meeting", "diamond", "#999999", "meeting")),
    (str(SKB.Organisation), Kind("organisation", "square", "#009E73", "organisation")),
]
"""Node kinds by asserted class, most specific first; any other actor class is drawn as an organisation."""
ORGANISATION = KINDS[-1][1]


@dataclass(frozen=True)
class Relation:
    """How a relation is drawn: colour, dash, arrow head, its legend text, the label of an unlabelled edge."""

    colour: str
    legend: str
    width: float = 1.5
    dashed: bool = False
    arrow: bool = False
    label: str = ""
    length: float = 1.0
    """The relation's rest length, as a share of the layout's usual distance (close partners: shorter)."""


RELATIONS: dict[str, Relation] = {
    "dependency": Relation("#D55E00", "depends on (for what, how much)", width=2.6, arrow=True, length=1.3),
    "bloc-member": Relation("#CC79A7", "member of the bloc", width=2.0, length=0.8),
    "excludes": Relation("#CC79A7", "the bloc excludes", width=2.0, dashed=True, arrow=True, label="excludes"),
    "office": Relation("#0072B2", "office or membership (dashed: former)", width=1.4, length=0.9),
    "participant": Relation("#444444", "takes part in the meeting", width=1.4, length=0.7),
    "host": Relation("#444444", "hosts the meeting", width=1.4, label="host", length=0.7),
    "absentee": Relation("#000000", "absent from the meeting", width=1.6, dashed=True, label="absent", length=1.4),
}
"""The relations drawn as edges, by the ``?relation`` of ``network.rq``."""

FRAMEWORKS: dict[str, str] = {"outside": "Outside {}'s framework", "within": "Within {}'s framework"}
"""The ``?relation``s that put a meeting in a region of its own, with the region's heading."""


@dataclass
class NetworkNode:
    """A node: its IRI, label, kind, region, position (centre), and its label's width."""

    id: str
    label: str
    kind: str
    region: str = "main"
    x: float = 0.0
    y: float = 0.0
    label_width: float = 0.0


@dataclass
class NetworkEdge:
    """An edge: one relation between two nodes, with what the statements behind it say."""

    id: str
    relation: str
    source: str
    target: str
    label: str
    former: bool = False
    statements: list[dict[str, Any]] = field(default_factory=list)
    label_x: float = 0.0
    label_y: float = 0.0


@dataclass
class Region:
    """A region apart: meetings outside (or within) an organisation's framework, and those only they involve."""

    id: str
    label: str
    organisation: str
    nodes: list[str]
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0
    height: float = 0.0


@dataclass
class Network:
    """The network's model, laid out."""

    nodes: list[NetworkNode]
    edges: list[NetworkEdge]
    regions: list[Region]
    width: float = WIDTH
    height: float = HEIGHT

    def to_json(self) -> dict[str, Any]:
        """The model as JSON."""
        return as_json(self)


def kind_of(types: list[str]) -> Kind:
    """The kind of a node from its asserted classes (``KINDS``)."""
    return next((kind for iri, kind in KINDS if iri in types), ORGANISATION)


def _quantity(row: dict[str, Any]) -> str | None:
    value, unit = text(row.get("value")), text(row.get("unit"))
    if value is None:
        return None
    try:
        number = float(value)
        shown = f"{int(number):,}" if number.is_integer() else f"{number:,}"
    except ValueError:
        shown = value
    return f"{shown} {unit}" if unit else shown


def build(store: Store, filters: Filters) -> Network:
    """The network of the statements the filters keep, laid out."""
    labels = Labels.of(store)
    edges: dict[tuple[str, str, str], NetworkEdge] = {}
    parts: dict[tuple[str, str, str], dict[str, str]] = defaultdict(dict)
    frameworks: dict[str, tuple[str, str]] = {}
    for row in rows(store, "network", filters):
        relation, source, target = str(row["relation"]), str(row["from"]), str(row["to"])
        if relation in FRAMEWORKS:
            frameworks[source] = (relation, target)
            continue
        key = (relation, source, target)
        edge = edges.get(key)
        if edge is None:
            edge = edges[key] = NetworkEdge(f"{source}|{relation}|{target}", relation, source, target, "")
        item = str(row["item"])
        statement = next((entry for entry in edge.statements if entry["item"] == item), None)
        if statement is None:
            detail = labels(str(row["detail"])) if "detail" in row else None
            former = text(row.get("when")) == "before"
            statement = {
                "item": item,
                "label": labels(item),
                "detail": detail,
                "quantity": _quantity(row),
                "former": former,
                "words": [],
                "source": str(row["source"]),
                "sourceTitle": text(row.get("sourceTitle")),
                "when": text(row.get("when")) or "unknown",
            }
            edge.statements.append(statement)
            shown = statement["quantity"] or detail
            if shown:
                parts[key].setdefault(("former " if former and relation == "office" else "") + shown, item)
        if (words := text(row.get("words"))) and words not in statement["words"]:
            statement["words"].append(words)
    for key, edge in edges.items():
        edge.label = ", ".join(parts[key]) or RELATIONS[edge.relation].label
        edge.former = bool(edge.statements) and all(entry["former"] for entry in edge.statements)
    ids = sorted({end for edge in edges.values() for end in (edge.source, edge.target)} | set(frameworks))
    nodes = {
        iri: NetworkNode(iri, labels(iri), kind_of(labels.types.get(iri, [])).name, label_width=0.0) for iri in ids
    }
    for node in nodes.values():
        node.label_width = text_width(shorten(node.label, NODE_LABEL_WIDTH, LABEL_SIZE), LABEL_SIZE)
    regions = _regions(nodes, list(edges.values()), frameworks, labels)
    network = Network(
        sorted(nodes.values(), key=lambda node: node.id), sorted(edges.values(), key=lambda e: e.id), regions
    )
    _layout(network)
    return network


def _regions(
    nodes: dict[str, NetworkNode], edges: list[NetworkEdge], frameworks: dict[str, tuple[str, str]], labels: Labels
) -> list[Region]:
    """Regions for the meetings held outside or within a framework, with the nodes that only those involve."""
    regions: dict[str, Region] = {}
    for meeting, (relation, organisation) in sorted(frameworks.items()):
        region_id = f"{relation}:{organisation}"
        region = regions.setdefault(
            region_id, Region(region_id, FRAMEWORKS[relation].format(labels(organisation)), organisation, [])
        )
        region.nodes.append(meeting)
        nodes[meeting].region = region_id
    neighbours: dict[str, set[str]] = defaultdict(set)
    for edge in edges:
        neighbours[edge.source].add(edge.target)
        neighbours[edge.target].add(edge.source)
    for node in nodes.values():
        around = {nodes[other].region for other in neighbours[node.id]}
        if node.region == "main" and len(around) == 1 and (only := around.pop()) != "main":
            node.region = only
            regions[only].nodes.append(node.id)
    return list(regions.values())


def _areas(network: Network) -> dict[str, tuple[float, float, float, float]]:
    """Each region's area (x0, y0, x1, y1) for its nodes' centres; the main area holds the rest."""
    count = len(network.regions)
    main_right = WIDTH - (REGION_WIDTH + 40 if count else 0)
    areas = {"main": (MARGIN + 10, 80.0, main_right - 150, HEIGHT - MARGIN - 10)}
    slot = (HEIGHT - 80 - 260) / max(count, 1)
    for index, region in enumerate(network.regions):
        y0 = 110 + slot * index
        areas[region.id] = (main_right + 40, y0, WIDTH - MARGIN - 150, y0 + slot - 60)
    return areas


def _clamp(node: NetworkNode, area: tuple[float, float, float, float]) -> None:
    x0, y0, x1, y1 = area
    node.x = min(max(node.x, x0), max(x0, x1 - node.label_width + 140))
    node.y = min(max(node.y, y0), y1)


def _layout(network: Network) -> None:
    """Force-directed layout within each node's area, then labels moved apart (deterministic)."""
    nodes = network.nodes
    if not nodes:
        return
    areas = _areas(network)
    chance = random.Random(SEED)
    for node in nodes:
        x0, y0, x1, y1 = areas[node.region]
        node.x, node.y = chance.uniform(x0, x1), chance.uniform(y0, y1)
    index = {node.id: number for number, node in enumerate(nodes)}
    springs = {
        (min(index[e.source], index[e.target]), max(index[e.source], index[e.target])): RELATIONS[e.relation].length
        for e in network.edges
    }
    x0, y0, x1, y1 = areas["main"]
    distance = math.sqrt((x1 - x0) * (y1 - y0) / len(nodes)) * SPREAD
    steps = STEPS
    for step in range(steps):
        temperature = distance * 0.5 * (1 - step / steps) + 1
        moves = [[0.0, 0.0] for _ in nodes]
        for i, a in enumerate(nodes):
            for j in range(i + 1, len(nodes)):
                b = nodes[j]
                dx, dy = a.x - b.x, a.y - b.y
                gap = math.hypot(dx, dy) or 0.01
                push = distance * distance / gap
                if a.region != b.region:
                    push *= 0.2
                moves[i][0] += dx / gap * push
                moves[i][1] += dy / gap * push
                moves[j][0] -= dx / gap * push
                moves[j][1] -= dy / gap * push
        for (i, j), length in springs.items():
            a, b = nodes[i], nodes[j]
            if a.region != b.region:
                continue
            dx, dy = a.x - b.x, a.y - b.y
            gap = math.hypot(dx, dy) or 0.01
            pull = gap * gap / (distance * length)
            moves[i][0] -= dx / gap * pull
            moves[i][1] -= dy / gap * pull
            moves[j][0] += dx / gap * pull
            moves[j][1] += dy / gap * pull
        for node, (mx, my) in zip(nodes, moves, strict=True):
            ax0, ay0, ax1, ay1 = areas[node.region]
            mx += ((ax0 + ax1) / 2 - node.x) * GRAVITY * distance / 10
            my += ((ay0 + ay1) / 2 - node.y) * GRAVITY * distance / 10
            size = math.hypot(mx, my) or 0.01
            node.x += mx / size * min(size, temperature)
            node.y += my / size * min(size, temperature)
            _clamp(node, areas[node.region])
    _separate_labels(nodes, areas, _room(network), _segments(network))
    _place_edge_labels(network)
    _place_regions(network)


def _edge_lines(edge: NetworkEdge) -> list[str]:
    return wrap(edge.label, 190, EDGE_LABEL_SIZE, max_lines=4) if edge.label else []


def _place_edge_labels(network: Network) -> None:
    """Put each edge's label at the first point along the edge where it covers no node and no other label."""
    by_id = {node.id: node for node in network.nodes}
    taken = [_box(node) for node in network.nodes]
    for edge in network.edges:
        lines = _edge_lines(edge)
        if not lines:
            continue
        a, b = by_id[edge.source], by_id[edge.target]
        half_width = max(text_width(line, EDGE_LABEL_SIZE) for line in lines) / 2 + 2
        height = len(lines) * EDGE_LABEL_SIZE * 1.2
        candidates = [
            (a.x + (b.x - a.x) * share, a.y + (b.y - a.y) * share + shift)
            for shift in (0.0, -height / 2 - 4, height / 2 + 4)
            for share in (0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78)
        ]
        boxes = [(x - half_width, y - height / 2, x + half_width, y + height / 2) for x, y in candidates]
        best = next((box for box in boxes if not any(_overlap(box, other) for other in taken)), boxes[0])
        taken.append(best)
        edge.label_x, edge.label_y = (best[0] + best[2]) / 2, best[1]


def _overlap(one: tuple[float, float, float, float], other: tuple[float, float, float, float]) -> bool:
    return min(one[2], other[2]) > max(one[0], other[0]) and min(one[3], other[3]) > max(one[1], other[1])


def _box(node: NetworkNode) -> tuple[float, float, float, float]:
    """The area a node and its label take (label to the right of the node)."""
    return node.x - 10, node.y - 10, node.x + 14 + node.label_width, node.y + 10


def _room(network: Network) -> list[tuple[NetworkNode, NetworkNode, float]]:
    """For each labelled edge, its two nodes and the distance they need for the label to fit between them."""
    by_id = {node.id: node for node in network.nodes}
    needs = []
    for edge in network.edges:
        if lines := _edge_lines(edge):
            width = max(text_width(line, EDGE_LABEL_SIZE) for line in lines)
            needs.append((by_id[edge.source], by_id[edge.target], max(90.0, width + 50)))
    return needs


def _segments(network: Network) -> list[tuple[NetworkNode, NetworkNode]]:
    """The two ends of each edge."""
    by_id = {node.id: node for node in network.nodes}
    return [(by_id[edge.source], by_id[edge.target]) for edge in network.edges]


def _crosses(a: NetworkNode, b: NetworkNode, box: tuple[float, float, float, float]) -> bool:
    """Whether the segment from a to b runs through a box (checked at 24 points along it)."""
    x0, y0, x1, y1 = box
    if (a.x < x0 and b.x < x0) or (a.x > x1 and b.x > x1) or (a.y < y0 and b.y < y0) or (a.y > y1 and b.y > y1):
        return False
    return any(
        x0 <= a.x + (b.x - a.x) * step / 25 <= x1 and y0 <= a.y + (b.y - a.y) * step / 25 <= y1 for step in range(1, 25)
    )


def _clear_edges(
    nodes: list[NetworkNode],
    segments: list[tuple[NetworkNode, NetworkNode]],
    areas: dict[str, tuple[float, float, float, float]],
) -> bool:
    """Move each node (with its label) off the edges that run through it, sideways; True if one moved."""
    moved = False
    for node in nodes:
        box = _box(node)
        for a, b in segments:
            if node is a or node is b or not _crosses(a, b, box):
                continue
            dx, dy = b.x - a.x, b.y - a.y
            length = math.hypot(dx, dy) or 0.01
            side = 1.0 if (node.x - a.x) * dy - (node.y - a.y) * dx >= 0 else -1.0
            node.x += dy / length * 4 * side
            node.y -= dx / length * 4 * side
            _clamp(node, areas[node.region])
            box = _box(node)
            moved = True
    return moved


def _separate_labels(
    nodes: list[NetworkNode],
    areas: dict[str, tuple[float, float, float, float]],
    room: list[tuple[NetworkNode, NetworkNode, float]],
    segments: list[tuple[NetworkNode, NetworkNode]],
) -> None:
    """Move nodes apart until no two boxes (node and label) overlap and each edge's label has room.

    In the first ``CLEARING_ROUNDS`` rounds, nodes are also moved off the edges that run through them.
    """
    for round_ in range(400):
        moved = round_ < CLEARING_ROUNDS and _clear_edges(nodes, segments, areas)
        for a, b, needed in room:
            if a.region != b.region:
                continue
            dx, dy = b.x - a.x, b.y - a.y
            gap = math.hypot(dx, dy) or 0.01
            left = a if a.x <= b.x else b  # its label lies along the edge as far as the edge runs sideways
            if gap < needed + left.label_width * abs(dx) / gap:
                needed += left.label_width * abs(dx) / gap
                moved = True
                shift = (needed - gap) / 2 + 1
                a.x, a.y = a.x - dx / gap * shift, a.y - dy / gap * shift
                b.x, b.y = b.x + dx / gap * shift, b.y + dy / gap * shift
                _clamp(a, areas[a.region])
                _clamp(b, areas[b.region])
        boxes = [_box(node) for node in nodes]
        order = sorted(range(len(nodes)), key=lambda k: boxes[k][0])
        for position, i in enumerate(order):
            for j in order[position + 1 :]:
                if boxes[j][0] >= boxes[i][2]:
                    break  # sorted by left side: no box further on reaches this one
                ax0, ay0, ax1, ay1 = boxes[i]
                bx0, by0, bx1, by1 = boxes[j]
                overlap_x = min(ax1, bx1) - max(ax0, bx0)
                overlap_y = min(ay1, by1) - max(ay0, by0)
                if overlap_x <= 0 or overlap_y <= 0:
                    continue
                moved = True
                a, b = nodes[i], nodes[j]
                if overlap_y <= overlap_x:
                    shift = overlap_y / 2 + 1
                    upper, lower = (a, b) if a.y <= b.y else (b, a)
                    upper.y -= shift
                    lower.y += shift
                else:
                    shift = overlap_x / 2 + 1
                    left, right = (a, b) if a.x <= b.x else (b, a)
                    left.x -= shift
                    right.x += shift
                _clamp(a, areas[a.region])
                _clamp(b, areas[b.region])
                boxes[i], boxes[j] = _box(a), _box(b)
        if not moved:
            return


def _place_regions(network: Network) -> None:
    by_id = {node.id: node for node in network.nodes}
    for region in network.regions:
        boxes = [_box(by_id[iri]) for iri in region.nodes]
        x0 = min(box[0] for box in boxes) - 24
        y0 = min(box[1] for box in boxes) - 44
        x1 = max(box[2] for box in boxes) + 24
        y1 = max(box[3] for box in boxes) + 24
        region.x, region.y, region.width, region.height = x0, y0, x1 - x0, y1 - y0


# ---------------------------------------------------------------------------------------------------------
# Drawing
# ---------------------------------------------------------------------------------------------------------


def _shape(drawing: Drawing, parent: Any, kind: Kind, x: float, y: float, r: float = 8) -> None:
    common = {"fill": kind.fill, "stroke": INK, "stroke_width": 1.3, "stroke_dasharray": "3 2" if kind.dashed else None}
    SHAPES[kind.shape](drawing, parent, x, y, r, common)


def _circle(drawing: Drawing, parent: Any, x: float, y: float, r: float, common: dict[str, Any]) -> None:
    drawing.add(parent, "circle", cx=x, cy=y, r=r, **common)


def _square(drawing: Drawing, parent: Any, x: float, y: float, r: float, common: dict[str, Any]) -> None:
    drawing.add(parent, "rect", x=x - r, y=y - r, width=2 * r, height=2 * r, rx=2, **common)


def _polygon(corners: int, turn: float) -> Any:
    def draw(drawing: Drawing, parent: Any, x: float, y: float, r: float, common: dict[str, Any]) -> None:
        points = " ".join(
            f"{x + r * 1.15 * math.cos(turn + 2 * math.pi * k / corners):.1f},"
            f"{y + r * 1.15 * math.sin(turn + 2 * math.pi * k / corners):.1f}"
            for k in range(corners)
        )
        drawing.add(parent, "polygon", points=points, **common)

    return draw


SHAPES = {"circle": _circle, "square": _square, "hexagon": _polygon(6, 0.0), "diamond": _polygon(4, 0.0)}
"""How each node shape is drawn."""
KIND_STYLES = {kind.name: kind for _, kind in KINDS}


def _edge_hover(edge: NetworkEdge, labels: dict[str, str]) -> str:
    lines = [f"{labels[edge.source]} \u2192 {labels[edge.target]}: {RELATIONS[edge.relation].legend}"]
    for statement in edge.statements:
        what = ", ".join(part for part in (statement["detail"], statement["quantity"]) if part)
        lines.append(f"- {statement['label']}" + (f" ({what})" if what else ""))
    return "\n".join(lines)


def draw(model: Network, filters: Filters) -> str:
    """The network as an SVG document."""
    drawing = Drawing(model.width, model.height, "Network: who leans on whom, who meets, who is left out", "network")
    root = drawing.root
    for name, relation in RELATIONS.items():
        if relation.arrow:
            marker = drawing.add(
                drawing.defs, "marker", id=f"arrow-{name}", viewBox="0 0 10 10", refX=9, refY=5,
                markerWidth=7, markerHeight=7, orient="auto-start-reverse",
            )  # fmt: skip
            drawing.add(marker, "path", d="M 0 0 L 10 5 L 0 10 z", fill=relation.colour)
    drawing.text(root, 16, 26, "Network: dependencies, blocs, offices and meetings", size=16, font_weight="bold")
    drawing.text(root, 16, 46, filters.describe(), size=11, fill=MUTED)
    if not model.nodes:
        drawing.text(root, 16, 90, "Nothing matches these filters.", size=14)
    labels = {node.id: node.label for node in model.nodes}
    by_id = {node.id: node for node in model.nodes}
    regions = drawing.group(root, **{"class": "regions"})
    for region in model.regions:
        group = drawing.group(
            regions, region.label, **{"class": "region", "data-id": region.id, "data-nodes": " ".join(region.nodes)}
        )
        drawing.add(
            group, "rect", x=region.x, y=region.y, width=region.width, height=region.height, rx=14,
            fill="#fdf1e3", stroke="#D55E00", stroke_width=1.5, stroke_dasharray="7 4",
        )  # fmt: skip
        drawing.text(group, region.x + 12, region.y + 22, region.label, size=13, font_weight="bold", fill="#8a3a00")
    edge_group = drawing.group(root, **{"class": "edges"})
    label_group = drawing.group(root, **{"class": "edge-labels"})
    for edge in model.edges:
        relation = RELATIONS[edge.relation]
        a, b = by_id[edge.source], by_id[edge.target]
        dx, dy = b.x - a.x, b.y - a.y
        gap = math.hypot(dx, dy) or 1
        ux, uy = dx / gap, dy / gap
        group = drawing.group(
            edge_group,
            _edge_hover(edge, labels),
            **{
                "class": "edge",
                "data-id": edge.id,
                "data-relation": edge.relation,
                "data-source": edge.source,
                "data-target": edge.target,
                "data-label": edge.label,
                "data-details": details(edge.statements),
                "tabindex": "0",
            },
        )
        drawing.add(
            group, "line", x1=a.x + ux * 10, y1=a.y + uy * 10, x2=b.x - ux * 11, y2=b.y - uy * 11,
            stroke=relation.colour, stroke_width=relation.width,
            stroke_dasharray="6 4" if relation.dashed or edge.former else None,
            marker_end=f"url(#arrow-{edge.relation})" if relation.arrow else None,
        )  # fmt: skip
        drawing.add(group, "line", x1=a.x, y1=a.y, x2=b.x, y2=b.y, stroke="#000000", stroke_opacity=0, stroke_width=9)
        if lines := _edge_lines(edge):
            drawing.text(
                label_group, edge.label_x, edge.label_y + EDGE_LABEL_SIZE, lines,
                size=EDGE_LABEL_SIZE, halo=True, text_anchor="middle",
                fill=relation.colour if edge.relation != "participant" else INK,
                **{"class": "edge-label", "data-edge": edge.id},
            )  # fmt: skip
    node_group = drawing.group(root, **{"class": "nodes"})
    for node in model.nodes:
        kind = KIND_STYLES[node.kind]
        group = drawing.group(
            node_group,
            f"{node.label} ({kind.label})",
            **{"class": "node", "data-id": node.id, "data-kind": node.kind, "data-region": node.region},
        )
        _shape(drawing, group, kind, node.x, node.y)
        shown = shorten(node.label, NODE_LABEL_WIDTH, LABEL_SIZE)
        drawing.text(group, node.x + 12, node.y + 4, shown, size=LABEL_SIZE, halo=True, **{"class": "label"})
    legend = drawing.group(root, **{"class": "legends"})
    x = model.width - REGION_WIDTH - 10 if model.regions else model.width - 260
    y = model.height - 250
    drawing.text(legend, x, y, "Nodes", size=11, font_weight="bold")
    for index, (_, kind) in enumerate(KINDS):
        column, line = divmod(index, 4)
        _shape(drawing, legend, kind, x + 7 + column * 150, y + 16 + line * 18 - 4, r=6)
        drawing.text(legend, x + 20 + column * 150, y + 16 + line * 18, kind.label, size=11)
    y += 16 + 4 * 18 + 8
    drawing.legend(
        legend,
        x,
        y,
        "Edges",
        [LegendEntry("line", relation.colour, relation.legend, relation.dashed) for relation in RELATIONS.values()],
    )
    return drawing.serialise()


PICTURE = Picture(
    name="network",
    title="Network",
    description="Actors as nodes; dependencies, bloc membership, offices and meeting participation and absence.",
    build=build,
    draw=draw,
)

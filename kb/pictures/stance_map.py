"""The stance map: actors (rows) against topics or propositions (columns), each cell the stances between them.

A cell's colour is the polarity of its stances (``POLARITIES``: the Okabe-Ito palette, safe for the
colour-blind, with a glyph as well so that colour is not the only cue), its size their strength
(``STRENGTHS``: the strongest stated). Several stances of different polarities make a mixed cell. Each cell
carries its stances as JSON (``data-details``): proposition, polarity, strength, how it was reported, the
quotes behind it, the source's words and the source document; its ``<title>`` is the hover text.
Query: ``stance-map.rq``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from stancekb.pictures.common import Filters, Labels, Picture, as_json, local_name, rows, text
from stancekb.pictures.svg import MUTED, Drawing, LegendEntry, details, marked, shorten, text_width
from stancekb.store import Store


@dataclass(frozen=True)
class Polarity:
    """How a polarity is drawn: its colour, its glyph and its name in the legend."""

    colour: str
    glyph: str
    label: str


POLARITIES: dict[str, Polarity] = {
    "favour": Polarity("#0072B2", "+", "favour"),
    "against": Polarity("#D55E00", "\u2212", "against"),
    "mixed": Polarity("#CC79A7", "\u00b1", "mixed (stances of different polarity)"),
    "neutral": Polarity("#999999", "0", "neutral"),
}
"""The polarities (skb:Favour, skb:Against, skb:Mixed, skb:Neutral), by the lower-cased local name."""

STRENGTHS: dict[str, float] = {"weak": 0.5, "unstated": 0.72, "moderate": 0.86, "strong": 1.0}
"""The size of a cell's square, as a share of the cell, by the strongest strength its stances state."""

CELL = 30
HEADER_ANGLE = 50
"""Degrees by which column headers are turned."""


@dataclass
class StanceDetail:
    """One stance of a cell, as the page shows it on click."""

    stance: str
    holder: str
    target: str
    target_label: str
    polarity: str
    strength: str
    mode: str | None
    quotes: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    source: str = ""
    source_title: str | None = None
    when: str = "unknown"


@dataclass
class Heading:
    """A row or column: the IRI and its label."""

    id: str
    label: str


@dataclass
class Cell:
    """The stances of one holder on one column."""

    row: str
    column: str
    polarity: str
    strength: str
    stances: list[StanceDetail]


@dataclass
class StanceMap:
    """The stance map's model."""

    axis: str
    rows: list[Heading]
    columns: list[Heading]
    cells: list[Cell]

    def to_json(self) -> dict[str, Any]:
        """The model as JSON."""
        return as_json(self)


def _short(node: object, default: str) -> str:
    return local_name(str(node)).lower() if node is not None else default


def build(store: Store, filters: Filters) -> StanceMap:
    """The stance map of the stances the filters keep, with columns by topic or by target (``filters.by``)."""
    axis = filters.by
    found: dict[str, StanceDetail] = {}
    columns_of: dict[str, dict[str, str]] = defaultdict(dict)
    holders: dict[str, str] = {}
    labels = Labels.of(store)
    for row in rows(store, "stance-map", filters):
        stance = str(row["stance"])
        holder, target = str(row["holder"]), str(row["target"])
        detail = found.get(stance)
        if detail is None:
            detail = found[stance] = StanceDetail(
                stance=stance,
                holder=holder,
                target=target,
                target_label=text(row.get("targetLabel")) or labels(target),
                polarity=_short(row["polarity"], "neutral"),
                strength=_short(row.get("strength"), "unstated"),
                mode=labels(str(row["mode"])) if "mode" in row else None,
                source=str(row["source"]),
                source_title=text(row.get("sourceTitle")),
                when=text(row.get("when")) or "unknown",
            )
        holders[holder] = text(row.get("holderLabel")) or labels(holder)
        if (quote := text(row.get("quoteText"))) and quote not in detail.quotes:
            detail.quotes.append(quote)
        if (words := text(row.get("words"))) and words not in detail.words:
            detail.words.append(words)
        if axis == "topic" and "topic" in row:
            columns_of[stance][str(row["topic"])] = text(row.get("topicLabel")) or labels(str(row["topic"]))
        elif axis == "target":
            columns_of[stance][target] = detail.target_label
    grouped: dict[tuple[str, str], list[StanceDetail]] = defaultdict(list)
    column_labels: dict[str, str] = {}
    for stance, detail in found.items():
        for column, label in columns_of[stance].items():
            grouped[detail.holder, column].append(detail)
            column_labels[column] = label
    cells = [_cell(row, column, stances) for (row, column), stances in sorted(grouped.items())]
    count: dict[str, int] = defaultdict(int)
    for cell in cells:
        count[cell.column] += len(cell.stances)
    columns = sorted(column_labels, key=lambda column: (-count[column], column_labels[column].lower()))
    used = {cell.row for cell in cells}
    return StanceMap(
        axis=axis,
        rows=[Heading(iri, holders[iri]) for iri in sorted(used, key=lambda iri: holders[iri].lower())],
        columns=[Heading(iri, column_labels[iri]) for iri in columns],
        cells=cells,
    )


def _cell(row: str, column: str, stances: list[StanceDetail]) -> Cell:
    polarities = {stance.polarity for stance in stances}
    polarity = polarities.pop() if len(polarities) == 1 else "mixed"
    strength = max((stance.strength for stance in stances), key=lambda name: STRENGTHS.get(name, 0.72))
    return Cell(row, column, polarity, strength, sorted(stances, key=lambda stance: stance.stance))


def _hover(holder: str, column: str, cell: Cell) -> str:
    lines = [f"{holder} on {column}: {cell.polarity} ({cell.strength}), {len(cell.stances)} stance(s)"]
    for stance in cell.stances:
        lines.append(f"- {stance.polarity}: {stance.target_label}")
        lines.extend(f"  \u201c{quote}\u201d" for quote in stance.quotes)
    return "\n".join(lines)


def draw(model: StanceMap, filters: Filters) -> str:
    """The stance map as an SVG document."""
    row_size, header_size = 12.0, 11.0
    header_room = 330.0
    column_labels = [shorten(column.label, header_room, header_size) for column in model.columns]
    left = 24 + max((text_width(row.label, row_size) for row in model.rows), default=80)
    angle = math.radians(HEADER_ANGLE)
    tallest = max((text_width(label, header_size) for label in column_labels), default=40)
    top = 70 + tallest * math.sin(angle)
    grid_right = left + CELL * len(model.columns)
    grid_bottom = top + CELL * len(model.rows)
    overflow = max(
        (
            left + CELL * (index + 0.5) + text_width(label, header_size) * math.cos(angle)
            for index, label in enumerate(column_labels)
        ),
        default=grid_right,
    )
    legend_x = max(grid_right + 30, 420 if not model.columns else 0)
    width = max(legend_x + 300, overflow + 20)
    height = max(grid_bottom + 40, top + 330)
    by = "topic" if model.axis == "topic" else "target (proposition, topic or actor)"
    drawing = Drawing(width, height, f"Stance map: who stands where, by {by}", "stance-map")
    root = drawing.root
    drawing.text(root, 16, 26, f"Stance map: actors against each {by}", size=16, font_weight="bold")
    drawing.text(root, 16, 46, filters.describe(), size=11, fill=MUTED)
    if not model.cells:
        drawing.text(root, 16, 90, "No stance matches these filters.", size=14)
    grid = drawing.group(root, **{"class": "grid"})
    for index, row in enumerate(model.rows):
        y = top + CELL * index
        if index % 2 == 0:
            drawing.add(grid, "rect", x=8, y=y, width=grid_right - 8, height=CELL, fill="#f3f3f3")
        drawing.text(
            grid, left - 10, y + CELL / 2 + 4, row.label, size=row_size, text_anchor="end",
            **marked("row-label", id=row.id),
        )  # fmt: skip
    for index, (column, label) in enumerate(zip(model.columns, column_labels, strict=True)):
        x = left + CELL * index
        drawing.add(grid, "line", x1=x, y1=top, x2=x, y2=grid_bottom, stroke="#dddddd", stroke_width=1)
        anchor_x, anchor_y = x + CELL / 2, top - 6
        label_element = drawing.text(
            grid, anchor_x, anchor_y, label, size=header_size,
            transform=f"rotate(-{HEADER_ANGLE} {anchor_x:.1f} {anchor_y:.1f})",
            **marked("column-label", id=column.id),
        )  # fmt: skip
        drawing.add(label_element, "title", text=column.label)
    drawing.add(grid, "line", x1=grid_right, y1=top, x2=grid_right, y2=grid_bottom, stroke="#dddddd")
    row_index = {row.id: index for index, row in enumerate(model.rows)}
    column_index = {column.id: index for index, column in enumerate(model.columns)}
    row_label = {row.id: row.label for row in model.rows}
    column_label = {column.id: column.label for column in model.columns}
    cells = drawing.group(root, **{"class": "cells"})
    for cell in model.cells:
        x = left + CELL * column_index[cell.column]
        y = top + CELL * row_index[cell.row]
        style = POLARITIES[cell.polarity]
        side = (CELL - 4) * STRENGTHS.get(cell.strength, STRENGTHS["unstated"])
        group = drawing.group(
            cells,
            _hover(row_label[cell.row], column_label[cell.column], cell),
            **{
                "class": "cell",
                "tabindex": "0",
                "data-holder": cell.row,
                "data-column": cell.column,
                "data-polarity": cell.polarity,
                "data-strength": cell.strength,
                "data-details": details([as_json(stance) for stance in cell.stances]),
            },
        )
        drawing.add(group, "rect", x=x, y=y, width=CELL, height=CELL, fill="#ffffff", fill_opacity=0)
        drawing.add(
            group, "rect", x=x + (CELL - side) / 2, y=y + (CELL - side) / 2, width=side, height=side,
            rx=2, fill=style.colour, stroke="#222222", stroke_width=0.5,
        )  # fmt: skip
        glyph = drawing.text(group, x + CELL / 2, y + CELL / 2 + 5, style.glyph, size=14, text_anchor="middle")
        glyph.set("fill", "#ffffff")
        glyph.set("font-weight", "bold")
        if len(cell.stances) > 1:
            drawing.text(group, x + CELL - 2, y + 9, str(len(cell.stances)), size=8, text_anchor="end")
    legend = drawing.group(root, **{"class": "legends"})
    y = drawing.legend(
        legend,
        legend_x,
        top + 10,
        "Polarity",
        [LegendEntry("square", style.colour, f"{style.glyph}  {style.label}") for style in POLARITIES.values()],
    )
    drawing.text(legend, legend_x, y, "Strength (size of the square)", size=11, font_weight="bold")
    for name, share in STRENGTHS.items():
        y += 20
        side = 16 * share
        drawing.add(legend, "rect", x=legend_x + 8 - side / 2, y=y - 4 - side / 2, width=side, height=side,
                    fill="#777777")  # fmt: skip
        drawing.text(legend, legend_x + 22, y, name if name != "unstated" else "not stated", size=11)
    drawing.text(legend, legend_x, y + 26, "Small number: stances in the cell.", size=10, fill=MUTED)
    drawing.text(legend, legend_x, y + 40, "Hover or click a cell for its quotes.", size=10, fill=MUTED)
    return drawing.serialise()


PICTURE = Picture(
    name="stance-map",
    title="Stance map",
    description="Actors against topics: each cell the polarity and strength of the actor's stances, with quotes.",
    build=build,
    draw=draw,
)

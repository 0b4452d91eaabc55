"""The timeline: events and meetings whose time the source gives, a date or a relative time.

Columns are times in order (``_column``): the calendar years, then what happened before the source's present
without a date ("recently"), then the present itself, then days named without a date ("Thursday"). No date is
invented: an item sits in the column of what the source says, and the columns are not to scale. Lanes are the
kinds of event (``LANES``). Query: ``timeline.rq``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from stancekb.namespaces import SKB
from stancekb.pictures.common import Filters, Labels, Picture, as_json, rows, text
from stancekb.pictures.svg import INK, MUTED, Drawing, details, shorten, wrap
from stancekb.store import Store

COLUMN_WIDTH = 230.0
LANE_LABEL = 150.0
CARD_GAP = 10.0
TEXT_SIZE = 11.0


@dataclass(frozen=True)
class Lane:
    """A lane: the kind of event it holds, its heading and the colour of its cards."""

    name: str
    label: str
    colour: str


LANES: dict[str, Lane] = {
    str(SKB.Meeting): Lane("meeting", "Meetings", "#56B4E9"),
    str(SKB.MilitaryOperation): Lane("operation", "Military operations", "#009E73"),
    str(SKB.HistoricalEvent): Lane("history", "History", "#E69F00"),
    str(SKB.Event): Lane("event", "Other events", "#999999"),
}
"""The lanes by the event's asserted class, in the order drawn."""
RANK = {lane.name: rank for rank, lane in enumerate(LANES.values())}


@dataclass
class TimelineItem:
    """An event or meeting: where it sits (column and lane), what it is, and what the source says of its time."""

    id: str
    label: str
    lane: str
    column: str
    when: str
    time_label: str | None
    year: str | None
    day: str | None
    place: str | None
    words: list[str] = field(default_factory=list)
    source: str = ""
    source_title: str | None = None
    x: float = 0.0
    y: float = 0.0
    height: float = 0.0


@dataclass
class Column:
    """A column: its id, heading and what it means."""

    id: str
    label: str
    note: str


@dataclass
class Timeline:
    """The timeline's model, laid out."""

    columns: list[Column]
    lanes: list[Lane]
    items: list[TimelineItem]
    width: float = 0.0
    height: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The model as JSON."""
        return as_json(self)


def _column(item: TimelineItem) -> tuple[tuple[int, str], Column]:
    """The column of an item, and its sort key."""
    if item.year:
        return (0, item.year), Column(f"year-{item.year}", item.year, "a calendar year")
    if item.when == "before":
        return (1, ""), Column("before", "Before the report", "before the source's present, no date given")
    if item.when == "now":
        return (2, ""), Column("now", "The report's present", "at the time the source reports, no date given")
    label = item.day or item.time_label or "time not placed"
    return (3, label), Column(f"named-{label}", f"\u201c{label}\u201d", "a time the source names without a date")


def build(store: Store, filters: Filters) -> Timeline:
    """The timeline of the events and meetings the filters keep, laid out."""
    labels = Labels.of(store)
    items: dict[str, TimelineItem] = {}
    for row in rows(store, "timeline", filters):
        event = str(row["event"])
        lane = LANES.get(str(row["type"]))
        if lane is None:
            continue
        item = items.get(event)
        if item is None:
            item = items[event] = TimelineItem(
                id=event,
                label=text(row.get("label")) or labels(event),
                lane=lane.name,
                column="",
                when=text(row.get("when")) or "unknown",
                time_label=text(row.get("timeLabel")),
                year=text(row.get("year")),
                day=text(row.get("day")),
                place=text(row.get("placeLabel")),
                source=str(row["source"]),
                source_title=text(row.get("sourceTitle")),
            )
        elif RANK[lane.name] < RANK[item.lane]:  # an event of several kinds goes in the first lane
            item.lane = lane.name
        if (words := text(row.get("words"))) and words not in item.words:
            item.words.append(words)
    columns: dict[tuple[int, str], Column] = {}
    for item in items.values():
        key, column = _column(item)
        columns[key] = column
        item.column = column.id
    ordered = [columns[key] for key in sorted(columns)]
    used = {item.lane for item in items.values()}
    lanes = [lane for lane in LANES.values() if lane.name in used]
    timeline = Timeline(ordered, lanes, sorted(items.values(), key=lambda item: (item.column, item.label)))
    _layout(timeline)
    return timeline


def _card_lines(item: TimelineItem) -> list[str]:
    return wrap(item.label, COLUMN_WIDTH - 34, TEXT_SIZE, max_lines=4)


def _time_line(item: TimelineItem) -> str:
    parts = [part for part in (item.time_label if item.time_label != item.year else None, item.place) if part]
    return " \u00b7 ".join(parts)


def _layout(timeline: Timeline) -> None:
    column_x = {column.id: LANE_LABEL + 20 + COLUMN_WIDTH * index for index, column in enumerate(timeline.columns)}
    cells: dict[tuple[str, str], list[TimelineItem]] = defaultdict(list)
    for item in timeline.items:
        item.height = 22 + TEXT_SIZE * 1.2 * len(_card_lines(item)) + (14 if _time_line(item) else 0)
        cells[item.lane, item.column].append(item)
    y = 110.0
    for lane in timeline.lanes:
        tallest = 0.0
        for column in timeline.columns:
            top = y + CARD_GAP
            for item in cells[lane.name, column.id]:
                item.x, item.y = column_x[column.id] + 8, top
                top += item.height + CARD_GAP
            tallest = max(tallest, top - y)
        y += max(tallest, 60) + 14
    timeline.width = LANE_LABEL + 40 + COLUMN_WIDTH * max(len(timeline.columns), 2)
    timeline.height = y + 60


def draw(model: Timeline, filters: Filters) -> str:
    """The timeline as an SVG document."""
    drawing = Drawing(model.width, model.height, "Timeline of events and meetings", "timeline")
    root = drawing.root
    drawing.text(root, 16, 26, "Timeline: events and meetings, as the source places them", size=16, font_weight="bold")
    drawing.text(
        root, 16, 46, f"{filters.describe()}. Columns are in time order, not to scale; no date is invented.",
        size=11, fill=MUTED,
    )  # fmt: skip
    if not model.items:
        drawing.text(root, 16, 90, "No dated or placed event matches these filters.", size=14)
        return drawing.serialise()
    axis = drawing.group(root, **{"class": "axis"})
    axis_y = 96.0
    drawing.add(axis, "line", x1=LANE_LABEL + 20, y1=axis_y, x2=model.width - 20, y2=axis_y, stroke=INK, stroke_width=2)
    for index, column in enumerate(model.columns):
        x = LANE_LABEL + 20 + COLUMN_WIDTH * index
        group = drawing.group(axis, column.note, **{"class": "column", "data-id": column.id})
        drawing.add(
            group, "line", x1=x, y1=axis_y - 6, x2=x, y2=model.height - 40, stroke="#cccccc", stroke_dasharray="4 4"
        )
        drawing.text(group, x + 8, axis_y - 12, column.label, size=13, font_weight="bold")
        drawing.text(group, x + 8, axis_y + 14, column.note, size=9, fill=MUTED)
    lane_tops: dict[str, float] = {}
    for item in model.items:
        lane_tops[item.lane] = min(lane_tops.get(item.lane, item.y), item.y)
    lanes = drawing.group(root, **{"class": "lanes"})
    for lane in model.lanes:
        drawing.text(lanes, 16, lane_tops.get(lane.name, 120) + 16, lane.label, size=13, font_weight="bold", fill=INK)
    colours = {lane.name: lane.colour for lane in model.lanes}
    cards = drawing.group(root, **{"class": "items"})
    for item in model.items:
        lines = _card_lines(item)
        when = _time_line(item)
        hover = "\n".join([item.label, *([when] if when else []), *(f"\u201c{words}\u201d" for words in item.words)])
        group = drawing.group(
            cards,
            hover,
            **{
                "class": "item",
                "tabindex": "0",
                "data-id": item.id,
                "data-lane": item.lane,
                "data-column": item.column,
                "data-details": details(as_json(item)),
            },
        )
        drawing.add(
            group, "rect", x=item.x, y=item.y, width=COLUMN_WIDTH - 16, height=item.height, rx=6,
            fill="#ffffff", stroke=colours[item.lane], stroke_width=2,
        )  # fmt: skip
        drawing.add(group, "circle", cx=item.x + 12, cy=item.y + 16, r=5, fill=colours[item.lane], stroke=INK)
        drawing.text(group, item.x + 24, item.y + 20, lines, size=TEXT_SIZE)
        if when:
            shown = shorten(when, COLUMN_WIDTH - 44, 9.5)
            drawing.text(group, item.x + 24, item.y + item.height - 9, shown, size=9.5, fill=MUTED, font_style="italic")
    return drawing.serialise()


PICTURE = Picture(
    name="timeline",
    title="Timeline",
    description="Events and meetings in time order, where the source gives a date or a relative time.",
    build=build,
    draw=draw,
)

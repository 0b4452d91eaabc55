"""What the three pictures share when they draw: an SVG document builder, text measuring and wrapping, a legend.

Text widths are estimated, not measured (``text_width``): a picture must lay out the same on every machine,
whatever fonts it has, so the estimate is a generous average for the fonts named in ``FONT`` and labels are
given room by it. Every picture is a standalone SVG 1.1 document (https://www.w3.org/TR/SVG11/) whose
interactive parts carry ``data-*`` attributes (ids, details as JSON) and a ``<title>`` (the hover text).
"""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
CHAR_WIDTH = 0.6
"""Estimated advance of an average character, in ems (DejaVu Sans and Verdana are wide: about 0.55 em)."""
INK = "#222222"
MUTED = "#666666"
HALO = "#ffffff"

ET.register_namespace("", SVG_NS)


def text_width(text: str, size: float) -> float:
    """The estimated width of a line of text at a font size, in user units."""
    return len(text) * size * CHAR_WIDTH


def wrap(text: str, width: float, size: float, max_lines: int = 3) -> list[str]:
    """The text in lines of at most ``width`` user units; past ``max_lines`` the last line ends with an ellipsis."""
    columns = max(8, int(width / (size * CHAR_WIDTH)))
    lines = textwrap.wrap(text, columns, break_long_words=True) or [""]
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], textwrap.shorten(" ".join(lines[max_lines - 1 :]), columns, placeholder="…")]
    return lines


def shorten(text: str, width: float, size: float) -> str:
    """The text cut to one line of at most ``width`` user units, with an ellipsis if it was cut."""
    columns = max(8, int(width / (size * CHAR_WIDTH)))
    return text if len(text) <= columns else text[: columns - 1].rstrip() + "…"


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


@dataclass(frozen=True)
class LegendEntry:
    """One line of a legend: a swatch (drawn by ``Drawing.swatch``) and what it means."""

    swatch: str
    colour: str
    label: str
    dashed: bool = False


class Drawing:
    """An SVG document being drawn: ``add`` elements under a parent, then ``serialise``."""

    def __init__(self, width: float, height: float, title: str, picture: str) -> None:
        self.root = ET.Element(
            f"{{{SVG_NS}}}svg",
            {
                "version": "1.1",
                "width": _number(width),
                "height": _number(height),
                "viewBox": f"0 0 {_number(width)} {_number(height)}",
                "font-family": FONT,
                "data-picture": picture,
                "role": "img",
            },
        )
        self.add(self.root, "title", text=title)
        self.add(self.root, "rect", x=0, y=0, width=width, height=height, fill="#ffffff")
        defs = self.add(self.root, "defs")
        self.defs = defs

    def add(self, parent: ET.Element, tag: str, text: str | None = None, **attributes: Any) -> ET.Element:
        """A new element under ``parent``; attribute names use ``_`` for ``-`` (``font_size``), values any type."""
        element = ET.SubElement(parent, f"{{{SVG_NS}}}{tag}", _attributes(attributes))
        if text is not None:
            element.text = text
        return element

    def group(self, parent: ET.Element, title: str | None = None, **attributes: Any) -> ET.Element:
        """A ``<g>``, with a ``<title>`` (the hover text) if given."""
        group = self.add(parent, "g", **attributes)
        if title:
            self.add(group, "title", text=title)
        return group

    def text(
        self,
        parent: ET.Element,
        x: float,
        y: float,
        lines: Sequence[str] | str,
        size: float = 11,
        halo: bool = False,
        **attributes: Any,
    ) -> ET.Element:
        """A text of one or more lines (``tspan``s), the first line's baseline at ``y``."""
        lines = [lines] if isinstance(lines, str) else list(lines)
        extra: dict[str, Any] = {"fill": INK, **attributes}
        if halo:  # a white outline under the glyphs keeps a label readable over lines
            extra.update(stroke=HALO, stroke_width=3, stroke_linejoin="round", paint_order="stroke")
        element = self.add(parent, "text", x=x, y=y, font_size=size, **extra)
        if len(lines) == 1:
            element.text = lines[0]
        else:
            for number, line in enumerate(lines):
                self.add(element, "tspan", text=line, x=x, dy=0 if number == 0 else size * 1.2)
        return element

    def swatch(self, parent: ET.Element, entry: LegendEntry, x: float, y: float) -> None:
        """The little picture of a legend entry, 14 units wide, centred on ``y``."""
        SWATCHES[entry.swatch](self, parent, entry, x, y)

    def legend(self, parent: ET.Element, x: float, y: float, heading: str, entries: Iterable[LegendEntry]) -> float:
        """A legend block at (x, y); returns the y below it."""
        group = self.group(parent, **{"class": "legend"})
        self.text(group, x, y, heading, size=11, font_weight="bold")
        y += 16
        for entry in entries:
            self.swatch(group, entry, x, y - 4)
            self.text(group, x + 22, y, entry.label, size=11)
            y += 17
        return y + 6

    def serialise(self) -> str:
        """The document as text, with an XML declaration."""
        ET.indent(self.root, space=" ")
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(self.root, encoding="unicode") + "\n"


def _attributes(attributes: Mapping[str, Any]) -> dict[str, str]:
    converted = {}
    for name, value in attributes.items():
        if value is None:
            continue
        key = name if name.startswith("data-") else name.replace("_", "-")
        converted[key] = _number(value) if isinstance(value, float) else str(value)
    return converted


def marked(cls: str, **data: str) -> dict[str, Any]:
    """An element's ``class`` and ``data-*`` attributes (``id="..."`` becomes ``data-id``), to pass as ``**``."""
    return {"class": cls, **{f"data-{name}": value for name, value in data.items()}}


def details(value: Any) -> str:
    """A ``data-details`` attribute value: JSON, read back by the pages' script."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _square(drawing: Drawing, parent: ET.Element, entry: LegendEntry, x: float, y: float) -> None:
    drawing.add(parent, "rect", x=x, y=y - 6, width=14, height=12, fill=entry.colour, stroke=INK, stroke_width=0.5)


def _line(drawing: Drawing, parent: ET.Element, entry: LegendEntry, x: float, y: float) -> None:
    drawing.add(
        parent,
        "line",
        x1=x,
        y1=y,
        x2=x + 16,
        y2=y,
        stroke=entry.colour,
        stroke_width=2.5,
        stroke_dasharray="5 3" if entry.dashed else None,
    )


def _circle(drawing: Drawing, parent: ET.Element, entry: LegendEntry, x: float, y: float) -> None:
    drawing.add(
        parent,
        "circle",
        cx=x + 7,
        cy=y,
        r=6,
        fill=entry.colour,
        stroke=INK,
        stroke_width=1,
        stroke_dasharray="2 2" if entry.dashed else None,
    )


SWATCHES = {"square": _square, "line": _line, "circle": _circle}
"""How each kind of legend swatch is drawn."""

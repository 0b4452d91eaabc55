"""Pictures of the knowledge base: the stance map, the dependency network and the timeline.

Each picture is built in three steps, the same for the server and the command line:

1. its SPARQL queries (``kb/pictures/*.rq``) run through the store interface (``Store.query``), the
   filters' source bound to ``?source`` (never put into the text); the time filter keeps the rows whose
   ``?when`` matches;
2. the rows become the picture's model (plain dataclasses: cells, nodes and edges, lanes and items), laid out
   deterministically (a fixed seed where there is randomness);
3. the model is drawn as one standalone SVG document (``stancekb.pictures.svg``), and PNG is rendered from
   that SVG (resvg): the page, the ``.svg`` and the ``.png`` are the same drawing.

``PICTURES`` is the registry of pictures, ``FORMATS`` of file formats; ``PictureJob`` does the whole work in
one picklable call, so that the server runs it in its worker pool like any query.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from stancekb.pictures import network, stance_map, timeline
from stancekb.pictures.common import TIMES, Filters, Picture, PictureError, UnknownSource, check_source
from stancekb.store import Store

__all__ = ["FORMATS", "PICTURES", "TIMES", "Filters", "PictureError", "PictureJob", "Rendered", "UnknownSource", "png"]

PICTURES: dict[str, Picture] = {
    picture.name: picture for picture in (stance_map.PICTURE, network.PICTURE, timeline.PICTURE)
}
"""The pictures by name: ``stance-map``, ``network``, ``timeline``."""


@dataclass(frozen=True)
class Rendered:
    """A drawn picture: its name, its model as JSON, its SVG document."""

    name: str
    model: dict[str, Any]
    svg: str


@dataclass(frozen=True)
class PictureJob:
    """Draw one picture for some filters: picklable, so that the server's worker pool can run it."""

    name: str
    filters: Filters = field(default_factory=Filters)

    def __call__(self, store: Store) -> Rendered:
        """Check the source, build the model, draw it (``PictureError`` for filters that name nothing)."""
        picture = PICTURES.get(self.name)
        if picture is None:
            raise PictureError(f"no picture {self.name[:40]!r}; the pictures are: {', '.join(PICTURES)}")
        check_source(store, self.filters)
        model = picture.build(store, self.filters)
        return Rendered(self.name, model.to_json(), picture.draw(model, self.filters))


def png(svg: str, zoom: float = 2.0) -> bytes:
    """The SVG rendered to PNG by resvg, at ``zoom`` times its size (2: sharp enough for print)."""
    import resvg_py  # lazily: only PNG output needs it

    return bytes(resvg_py.svg_to_bytes(svg_string=svg, zoom=zoom, background="#ffffff"))


FORMATS: Mapping[str, tuple[str, Callable[[Rendered], bytes]]] = {
    "svg": ("image/svg+xml", lambda rendered: rendered.svg.encode("utf-8")),
    "png": ("image/png", lambda rendered: png(rendered.svg)),
}
"""The file formats a picture is written in: media type, and how the bytes are made."""

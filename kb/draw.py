"""``stancekb draw``: a picture of the KB (stance map, network, timeline) as an SVG or PNG file for a paper.

The same drawing as the server's picture pages (``stancekb.pictures``): the picture's queries run on the store,
its model is laid out, drawn as SVG, and rendered to PNG from that SVG.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from stancekb.cli import StoreOption, err, fail, opened_store, settings_for, user_errors
from stancekb.pictures import FORMATS, PICTURES, TIMES, Filters, PictureError, PictureJob
from stancekb.pictures.common import COLUMNS
from stancekb.store import InvalidIri, valid_iri


def _format(format: str | None, output: Path | None) -> str:
    """The format asked for, else the output file's suffix, else SVG."""
    chosen = format or (output.suffix.lstrip(".").lower() if output is not None and output.suffix else "svg")
    if chosen not in FORMATS:
        fail(f"--format: {chosen!r} is not one of {', '.join(FORMATS)}")
    return chosen


def draw(
    ctx: typer.Context,
    picture: Annotated[str, typer.Argument(help=f"The picture: {', '.join(PICTURES)}.", show_default=False)],
    source: Annotated[
        str | None, typer.Option("--source", help="Only the statements of this source document (its IRI).")
    ] = None,
    time: Annotated[str, typer.Option("--time", help=f"Only what is of this time: {', '.join(TIMES)}.")] = "all",
    by: Annotated[str, typer.Option("--by", help=f"The stance map's columns: {', '.join(COLUMNS)}.")] = "topic",
    format: Annotated[
        str | None,
        typer.Option("--format", help=f"{' or '.join(FORMATS)} (default: the output file's suffix, else svg)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default: standard output).")
    ] = None,
    store: StoreOption = None,
) -> None:
    """Draw a picture of the KB: the stance map, the dependency network or the timeline, as SVG or PNG."""
    if picture not in PICTURES:
        fail(f"no picture {picture[:40]!r}; the pictures are: {', '.join(PICTURES)}")
    chosen = _format(format, output)
    with user_errors():
        try:
            filters = Filters(valid_iri(source) if source is not None else None, time, by)
        except (PictureError, InvalidIri) as error:
            fail(f"--{error}" if isinstance(error, PictureError) else f"--source: {error}")
        with opened_store(settings_for(ctx, store=store)) as opened, err.status(f"Drawing the {picture}"):
            try:
                rendered = PictureJob(picture, filters)(opened)
            except PictureError as error:
                fail(f"--{error}")
        data = FORMATS[chosen][1](rendered)
        if output is None:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            output.write_bytes(data)
            err.print(f"wrote the {picture} ({chosen}, {len(data)} bytes) to {output}", highlight=False)

"""Pictures (``/pictures``): the stance map, the network and the timeline, as pages, SVG, PNG and JSON.

- ``GET /pictures/{name}`` an interactive page (``api/static/pictures/``): filters (source, time) that
  re-request the picture, the SVG inlined, a click on a cell, edge or item shows its quotes and source.
- ``GET /pictures/{name}.svg`` / ``.png`` the picture as a file; ``.json`` its model (what the SVG draws).

Every form is drawn by ``stancekb.pictures`` from its SPARQL queries, run in the worker pool like the other
routes' queries (same store, same timeout). Parameters: ``source`` (an identifier or IRI of a source
document: 400 if it is not one, 404 if there is none), ``time`` (``stancekb.pictures.TIMES``), ``by`` (the
stance map's columns); anything else is refused (400).
"""

from __future__ import annotations

import asyncio
from functools import cache
from html import escape
from importlib.resources import files
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParameter
from fastapi.responses import HTMLResponse, JSONResponse, Response

from stancekb.api import rest
from stancekb.api.deps import PoolDep
from stancekb.api.problems import Problem
from stancekb.pictures import FORMATS, PICTURES, TIMES, Filters, PictureError, PictureJob, Rendered, UnknownSource
from stancekb.pictures.common import COLUMNS

router = APIRouter(prefix="/pictures", tags=["pictures"], dependencies=rest.DEPENDENCIES)

NAME_HELP = f"The picture: {', '.join(PICTURES)}."


def _filters(
    source: Annotated[
        str | None,
        Query(
            max_length=rest.MAX_TEXT, description=f"Only the statements of this source document. {rest.IDENTIFIER_HELP}"
        ),
    ] = None,
    time: Annotated[
        str,
        Query(
            max_length=40,
            description="Only what is of this time: " + "; ".join(f"`{k}`: {v}" for k, v in TIMES.items()),
        ),
    ] = "all",
    by: Annotated[
        str,
        Query(
            max_length=40,
            description="The stance map's columns: " + "; ".join(f"`{k}`: {v}" for k, v in COLUMNS.items()),
        ),
    ] = "topic",
) -> Filters:
    try:
        return Filters(rest.identify(source, "source") if source is not None else None, time, by)
    except PictureError as error:
        raise Problem("bad-request", str(error)) from None


FiltersDep = Annotated[Filters, Depends(_filters)]


def _picture(name: str) -> str:
    if name not in PICTURES:
        raise Problem("not-found", f"no picture {name[:40]!r}; the pictures are: {', '.join(PICTURES)}")
    return name


async def _draw(pool: PoolDep, name: str, filters: Filters) -> Rendered:
    """Draw a picture in a worker; a problem for filters that name nothing."""
    try:
        return await pool.run(PictureJob(_picture(name), filters))
    except UnknownSource as error:
        raise Problem("not-found", str(error)) from None
    except PictureError as error:
        raise Problem("bad-request", str(error)) from None


NamePath = Annotated[str, PathParameter(description=NAME_HELP, examples=["network"])]


@router.get("/{name}.svg", summary="A picture as SVG", response_class=Response)
async def picture_svg(name: NamePath, pool: PoolDep, filters: FiltersDep) -> Response:
    """The picture as a standalone SVG document."""
    rendered = await _draw(pool, name, filters)
    media_type, make = FORMATS["svg"]
    return Response(make(rendered), media_type=media_type)


@router.get("/{name}.png", summary="A picture as PNG", response_class=Response)
async def picture_png(name: NamePath, pool: PoolDep, filters: FiltersDep) -> Response:
    """The picture as PNG, rendered from its SVG at twice its size."""
    rendered = await _draw(pool, name, filters)
    media_type, make = FORMATS["png"]
    return Response(await asyncio.to_thread(make, rendered), media_type=media_type)


@router.get("/{name}.json", summary="A picture's model")
async def picture_json(name: NamePath, pool: PoolDep, filters: FiltersDep) -> JSONResponse:
    """What the picture draws: its cells, nodes and edges, or lanes and items, laid out."""
    rendered = await _draw(pool, name, filters)
    return JSONResponse({"picture": name, "filters": _described(filters), "model": rendered.model})


def _described(filters: Filters) -> dict[str, str | None]:
    return {"source": str(filters.source) if filters.source else None, "time": filters.time, "by": filters.by}


@cache
def _template() -> str:
    return (files("stancekb.api") / "static" / "pictures" / "page.html").read_text(encoding="utf-8")


def _options(choices: dict[str, str]) -> str:
    return "".join(
        f'<option value="{escape(key)}" title="{escape(text)}">{escape(key)}</option>' for key, text in choices.items()
    )


@router.get("/{name}", summary="A picture's page", response_class=HTMLResponse)
async def picture_page(name: NamePath) -> HTMLResponse:
    """The interactive page of a picture (filters, the SVG, details on click); its assets are on this server."""
    picture = PICTURES[_picture(name)]
    current = ' aria-current="page"'
    links = "".join(
        f'<li><a href="{escape(other.name)}"{current if other.name == name else ""}>{escape(other.title)}</a></li>'
        for other in PICTURES.values()
    )
    page = (
        _template()
        .replace("{{name}}", escape(picture.name))
        .replace("{{title}}", escape(picture.title))
        .replace("{{description}}", escape(picture.description))
        .replace("{{pictures}}", links)
        .replace("{{times}}", _options(TIMES))
        .replace("{{columns}}", _options(COLUMNS))
    )
    return HTMLResponse(page)

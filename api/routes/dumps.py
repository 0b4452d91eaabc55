"""The dumps and the dataset description, downloadable: ``/dumps/``, ``/dumps/...`` and ``/.well-known/void``.

- ``GET /dumps/`` lists every dump: the whole dataset (with its description) and each named graph, in each
  format of ``stancekb.export.FORMATS``.
- ``GET /dumps/stancekb.EXT`` and ``/dumps/graph/NAME.EXT`` (``stancekb.export.dump_path``): the dump, made by
  ``stancekb.export.export`` on a worker, byte for byte what ``stancekb export`` writes for the same store and
  base URL. Its ETag is a digest of those bytes (a strong validator: the same content gives the same bytes),
  so ``If-None-Match`` answers 304; ``Content-Disposition`` names the file.
- ``GET /.well-known/void`` (VoID §7.2, https://www.w3.org/TR/void/#well-known): the VoID and DCAT
  description (``stancekb.describe``), the dump of graph ``VOID_GRAPH`` in the negotiated RDF format, with
  ``Content-Location`` naming that dump.

Dumps are kept until the store changes (``Store.version``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import partial
from operator import methodcaller

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from rdflib import URIRef

from stancekb.api.conneg import RDF_FORMATS, negotiate
from stancekb.api.deps import PoolDep, SettingsDep
from stancekb.api.problems import Problem
from stancekb.api.routes.linked_data import read
from stancekb.export import (
    DUMPS_PATH,
    FORMATS,
    VOID_GRAPH,
    ExportError,
    ExportFormat,
    dump_path,
    dump_target,
    export,
    has_dump_path,
)
from stancekb.pages import esc, link, page
from stancekb.settings import Settings
from stancekb.store import WorkerPool

router = APIRouter(tags=["dumps"])

BY_MEDIA_TYPE: dict[str, ExportFormat] = {fmt.media_type: fmt for fmt in FORMATS.values()}


@dataclass(frozen=True)
class Dump:
    """A dump's bytes and its entity tag."""

    body: bytes
    etag: str


async def dump(request: Request, pool: WorkerPool, settings: Settings, path: str) -> tuple[ExportFormat, Dump]:
    """The dump at a path (made on a worker, or kept from an earlier request while the store is unchanged)."""
    try:
        fmt, graph = dump_target(path)
    except ExportError as error:
        raise Problem("not-found", str(error)) from None
    kept: dict[str, Dump]
    version, kept = getattr(request.app.state, "dumps", (None, {}))
    if version != pool.store.version:
        version, kept = pool.store.version, {}
        request.app.state.dumps = (version, kept)
    if path not in kept:
        job = partial(export, format_name=fmt.name, graph_iri=graph, base_url=settings.base_url)
        try:
            body = await pool.run(job)
        except ExportError as error:
            raise Problem("not-found", f"no dump at {path}: {error}") from None
        kept[path] = Dump(body, f'"{hashlib.sha256(body).hexdigest()[:40]}"')
    return fmt, kept[path]


def _content_type(fmt: ExportFormat) -> str:
    return f"{fmt.media_type}; charset=utf-8" if fmt.media_type.startswith("text/") else fmt.media_type


def _answer(request: Request, fmt: ExportFormat, found: Dump, headers: dict[str, str]) -> Response:
    """The dump, or 304 if the client holds these bytes already (RFC 9110 §13.1.2)."""
    headers = {"ETag": found.etag, "Cache-Control": "no-cache", **headers}
    wanted = [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]
    if found.etag in wanted or "*" in wanted:
        return Response(status_code=304, headers=headers)
    return Response(found.body, media_type=_content_type(fmt), headers=headers)


@read(router, DUMPS_PATH, include_in_schema=False)
@read(router, DUMPS_PATH + "/", summary="The list of dumps", response_class=HTMLResponse)
async def dumps_listing(pool: PoolDep, settings: SettingsDep) -> HTMLResponse:
    """Every dump this server offers, as an HTML page of links."""
    graphs = [g for g in await pool.run(methodcaller("named_graphs")) if has_dump_path(g)]
    base = settings.base_url.rstrip("/")

    def row(title: str, graph: URIRef | None) -> str:
        links = " · ".join(link(base + dump_path(name, graph), fmt.extension) for name, fmt in FORMATS.items())
        return f"<tr><th>{esc(title)}</th><td>{links}</td></tr>"

    rows = [row("The whole dataset, with its description", None), row("The description (VoID, DCAT)", VOID_GRAPH)]
    rows += [row(str(graph), graph) for graph in graphs]
    formats = ", ".join(f"{esc(fmt.extension)}: <code>{esc(fmt.media_type)}</code>" for fmt in FORMATS.values())
    body = (
        "<h1>StanceKB dumps</h1><p>Deterministic dumps: the same content gives byte-identical files. "
        f"Formats: {formats}. Formats without named graphs hold the union of the graphs.</p>"
        f"<table>{''.join(rows)}</table><p>{link(base + '/.well-known/void', 'The dataset description')}.</p>"
    )
    return HTMLResponse(page("StanceKB dumps", body))


@read(router, DUMPS_PATH + "/{path:path}", summary="A dump")
async def download(path: str, request: Request, pool: PoolDep, settings: SettingsDep) -> Response:
    """A dump of the dataset (``stancekb.EXT``) or of one named graph (``graph/NAME.EXT``)."""
    fmt, found = await dump(request, pool, settings, f"{DUMPS_PATH}/{path}")
    filename = path.removeprefix("graph/").replace("/", "-")
    return _answer(request, fmt, found, {"Content-Disposition": f'attachment; filename="{filename}"'})


@read(router, "/.well-known/void", summary="The VoID and DCAT description of the dataset")
async def void(request: Request, pool: PoolDep, settings: SettingsDep) -> Response:
    """The dataset's VoID and DCAT description, in the negotiated RDF format."""
    chosen = negotiate(RDF_FORMATS, request.headers.get("accept"), request.query_params.get("format"))
    path = dump_path(BY_MEDIA_TYPE[chosen.media_type].name, VOID_GRAPH)
    fmt, found = await dump(request, pool, settings, path)
    return _answer(request, fmt, found, {"Content-Location": settings.base_url.rstrip("/") + path, "Vary": "Accept"})

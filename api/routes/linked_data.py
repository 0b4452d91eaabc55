"""Dereferenceable IRIs (W3C "Cool URIs for the Semantic Web", https://www.w3.org/TR/cooluris/).

The KB's namespaces map onto this server (``stancekb.publish.SERVED``, under the setting ``base_url``):

- ``/id/NAME`` and ``/graph/NAME`` (https://w3id.org/stancekb/id/NAME, .../graph/NAME) name things, not
  documents: a GET answers ``303 See Other`` to the document that describes the thing in the negotiated format
  (``/id/NAME.html``, ``.ttl``, ``.jsonld``, ``.rdf``, ``.nt``, ``.trig``, ``.nq``; Cool URIs §4.3), with
  ``Vary: Accept``. An IRI the KB says nothing of answers 404, an Accept header no format satisfies 406.
- ``/id/NAME.EXT``: the description (``stancekb.publish.describe_resource``) in that format; the HTML page
  links each KB IRI to this server's own page of it.
- ``/ontology`` (https://w3id.org/stancekb/ontology, whose terms are ``#`` IRIs): the ontology is a document,
  so it answers 200 with ``Content-Location`` naming the variant sent (Cool URIs §4.2): its documentation as
  HTML (``stancekb.ontodocs``) or the OWL in an RDF format; ``/ontology.svg`` is its diagram.
- ``/ontology/VERSION``: the version IRI (``owl:versionIRI``) answers that version: this server holds the
  current one; another version answers 404 naming the one it holds.
- ``/dataset`` (https://w3id.org/stancekb/dataset) answers 303 to its description at ``/.well-known/void``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import cache, partial
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from rdflib import OWL

from stancekb.api.conneg import RDF_FORMATS, Format, negotiate
from stancekb.api.deps import PoolDep, SettingsDep
from stancekb.api.problems import Problem
from stancekb.export import FORMATS, VOID_GRAPH, ox_quad, serialise
from stancekb.namespaces import ONTOLOGY_IRI
from stancekb.ontodocs import diagram_svg, ontology_docs
from stancekb.publish import HTML, REPRESENTATIONS, kb_iri, render_resource, resource_known, server_url
from stancekb.resources import ontology_graph

router = APIRouter(tags=["linked data"])

Endpoint = Callable[..., Awaitable[Response]]


def read(on: APIRouter, path: str, **options: Any) -> Callable[[Endpoint], Endpoint]:
    """Route GET and HEAD (what link checkers and crawlers send first) to an endpoint; only GET is documented."""

    def register(endpoint: Endpoint) -> Endpoint:
        on.add_api_route(path, endpoint, methods=["GET"], **options)
        on.add_api_route(path, endpoint, methods=["HEAD"], **{**options, "include_in_schema": False})
        return endpoint

    return register


HTML_FORMAT = Format("text/html", ("html",), ("application/xhtml+xml",))
OFFERED: tuple[Format, ...] = (HTML_FORMAT, *RDF_FORMATS)
"""What a KB IRI or the ontology's IRI answers in, HTML first (what */* gets)."""

EXTENSIONS: dict[str, str] = {rep.media_type: ext for ext, rep in REPRESENTATIONS.items()}
"""Media type -> file extension of the document in that format."""

SVG = "svg"


def _content_type(media_type: str) -> str:
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type


def _split(path: str) -> tuple[str, str | None]:
    """A path and the known document extension it ends with (``mark-rutte.ttl`` -> ``mark-rutte``, ``ttl``)."""
    stem, dot, extension = path.rpartition(".")
    return (stem, extension) if dot and stem and extension in REPRESENTATIONS else (path, None)


async def _dereference(request: Request, pool: PoolDep, settings: SettingsDep, path: str) -> Response:
    """Answer for a KB IRI's server path: 303 to its description, or the description itself."""
    stem, extension = _split(path)
    if extension is not None:
        iri = kb_iri(stem)
        assert iri is not None  # the routes are the served namespaces
        job = partial(render_resource, iri=iri, extension=extension, base_url=settings.base_url)
        body = await pool.run(job)
        if body is not None:
            alternates = ", ".join(
                f'<{server_url(str(iri), settings.base_url)}.{ext}>; rel="alternate"; type="{rep.media_type}"'
                for ext, rep in REPRESENTATIONS.items()
                if ext != extension
            )
            about = server_url(str(iri), settings.base_url)
            headers = {"Link": f'<{about}>; rel="describes", {alternates}'}
            return Response(body, media_type=_content_type(REPRESENTATIONS[extension].media_type), headers=headers)
    fmt = negotiate(OFFERED, request.headers.get("accept"), request.query_params.get("format"))
    iri = kb_iri(path)
    assert iri is not None
    if not await pool.run(partial(resource_known, iri=iri)):
        raise Problem("not-found", f"the knowledge base says nothing of <{iri}>")
    location = f"{server_url(str(iri), settings.base_url)}.{EXTENSIONS[fmt.media_type]}"
    return RedirectResponse(location, status_code=303, headers={"Vary": "Accept"})


@read(router, "/id/{path:path}", summary="A resource of the knowledge base")
async def resource(path: str, request: Request, pool: PoolDep, settings: SettingsDep) -> Response:
    """https://w3id.org/stancekb/id/PATH: 303 to its description in the negotiated format, or that description."""
    return await _dereference(request, pool, settings, f"/id/{path}")


@read(router, "/graph/{path:path}", summary="A named graph of the knowledge base")
async def graph(path: str, request: Request, pool: PoolDep, settings: SettingsDep) -> Response:
    """https://w3id.org/stancekb/graph/PATH: 303 to its description (with links to its dumps), or that description.

    The dumps' description graph (``VOID_GRAPH``) is not in the store: it answers 303 to ``/.well-known/void``.
    """
    if kb_iri(f"/graph/{path}") == VOID_GRAPH:
        return _to_description(settings)
    return await _dereference(request, pool, settings, f"/graph/{path}")


def _to_description(settings: SettingsDep) -> Response:
    return RedirectResponse(settings.base_url.rstrip("/") + "/.well-known/void", status_code=303)


@read(router, "/dataset", summary="The dataset", status_code=303)
async def dataset(settings: SettingsDep) -> Response:
    """https://w3id.org/stancekb/dataset: 303 to its VoID and DCAT description."""
    return _to_description(settings)


# ---------------------------------------------------------------------------------------------------------
# The ontology
# ---------------------------------------------------------------------------------------------------------


@cache
def ontology_document(extension: str) -> tuple[str, bytes]:
    """The ontology as a document of that extension (HTML docs, SVG diagram, or RDF): media type and bytes."""
    if extension == HTML:
        return "text/html", ontology_docs().encode("utf-8")
    if extension == SVG:
        return "image/svg+xml", diagram_svg().encode("utf-8")
    fmt = next(fmt for fmt in FORMATS.values() if fmt.extension == extension)
    return fmt.media_type, serialise((ox_quad((s, p, o, None)) for s, p, o in ontology_graph()), fmt.name)


def _version() -> str | None:
    """The version (the part after the ontology's IRI) of the ontology's ``owl:versionIRI``."""
    version_iri = ontology_graph().value(ONTOLOGY_IRI, OWL.versionIRI)
    return None if version_iri is None else str(version_iri).removeprefix(str(ONTOLOGY_IRI) + "/")


async def _ontology_answer(request: Request, settings: SettingsDep, path: str, extension: str | None) -> Response:
    """A document of the ontology: the one named by the extension, or the negotiated one (Content-Location)."""
    base = settings.base_url.rstrip("/")
    if extension is None:
        fmt = negotiate(OFFERED, request.headers.get("accept"), request.query_params.get("format"))
        extension = EXTENSIONS[fmt.media_type]
        headers = {"Content-Location": f"{base}{path}.{extension}", "Vary": "Accept"}
    else:
        headers = {}
    media_type, body = await asyncio.to_thread(ontology_document, extension)  # the first call takes a second
    return Response(body, media_type=_content_type(media_type), headers=headers)


@read(router, "/ontology", summary="The ontology")
async def ontology(request: Request, settings: SettingsDep) -> Response:
    """https://w3id.org/stancekb/ontology: its documentation as HTML, or the OWL in an RDF format."""
    return await _ontology_answer(request, settings, "/ontology", None)


@read(router, "/ontology.{extension}", summary="The ontology as one document")
async def ontology_file(extension: str, request: Request, settings: SettingsDep) -> Response:
    """The ontology's documentation (``html``), diagram (``svg``) or OWL (``ttl``, ``jsonld``, ``rdf``, ...)."""
    if extension not in REPRESENTATIONS and extension != SVG:
        known = ", ".join([*REPRESENTATIONS, SVG])
        raise Problem("not-found", f"no /ontology.{extension}: the ontology is served as {known}")
    return await _ontology_answer(request, settings, "/ontology", extension)


@read(router, "/ontology/{version}", summary="A version of the ontology")
async def ontology_version(version: str, request: Request, settings: SettingsDep) -> Response:
    """https://w3id.org/stancekb/ontology/VERSION (a version IRI): that version, if this server holds it."""
    stem, extension = _split(version)
    if stem != _version():
        raise Problem(
            "not-found",
            f"this server holds version {_version()} of the ontology, not {stem}: "
            f"see {settings.base_url.rstrip('/')}/ontology",
        )
    return await _ontology_answer(request, settings, f"/ontology/{stem}", extension)

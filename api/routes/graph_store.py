"""The SPARQL 1.1 Graph Store HTTP Protocol (https://www.w3.org/TR/sparql11-http-rdf-update/) at ``/graph-store``.

Graphs are named indirectly (``/graph-store?graph=IRI``, ``/graph-store?default``, §4.2) or directly: the
IRI of ``/graph-store/any/path`` is the request URL under the server's base URL (§4.1). GET and HEAD
(§5.2, §5.3) are open like queries; PUT, DELETE and POST (§5.4-5.6) need the update token and go through
the SHACL gate. POST to ``/graph-store`` itself creates a graph and answers its IRI in ``Location`` (§5.5);
a POST body may be ``multipart/form-data`` with one RDF document a part (§5.6).
"""

from __future__ import annotations

import asyncio
import uuid
from email.parser import BytesParser
from email.policy import HTTP
from functools import partial
from operator import methodcaller

from fastapi import APIRouter, Request, Response
from rdflib import URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from stancekb.api.conneg import RDF_FORMATS, negotiate
from stancekb.api.deps import Body, PoolDep, QueryParameters, SettingsDep, UpdateAuth
from stancekb.api.problems import Problem, write_refused
from stancekb.rdfio import parse_bytes, rdf_format
from stancekb.settings import Settings
from stancekb.store import QueryRequest, SerializedResult, Store, WorkerPool, valid_iri
from stancekb.update import GraphWrite, Triple, submit

PREFIX = "/graph-store"
router = APIRouter(prefix=PREFIX, tags=["SPARQL 1.1 Graph Store HTTP Protocol"])

DEFAULT = DATASET_DEFAULT_GRAPH_ID
DIRECT = {
    "parameters": [
        {
            "name": "path",
            "in": "path",
            "required": True,
            "description": "The graph's IRI under the server's base URL (direct identification, §4.1).",
            "schema": {"type": "string"},
        }
    ]
}
"""The OpenAPI description of ``/graph-store/{path}``, whose handlers read the path from the request URL."""


def _target(request: Request, settings: Settings, parameters: dict[str, list[str]]) -> URIRef | None:
    """The graph a request names (``DEFAULT`` for the default graph), or ``None`` for the graph store itself."""
    base = settings.base_url.rstrip("/")
    raw_path = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
    if raw_path.rstrip("/") != PREFIX:
        return valid_iri(base + raw_path)
    graphs, default = parameters.get("graph", []), "default" in parameters
    if len(graphs) + default > 1:
        raise Problem("bad-request", "name one graph: either ?default or a single ?graph=IRI")
    if default:
        return DEFAULT
    return valid_iri(graphs[0]) if graphs else None


def read_graph(store: Store, graph: URIRef, media_type: str) -> SerializedResult | None:
    """A graph's content in a format, or ``None`` if there is no such named graph (run on a worker)."""
    if graph != DEFAULT and graph not in store.named_graphs():
        return None
    job = QueryRequest("CONSTRUCT WHERE { ?s ?p ?o }", {"graph": media_type}, default_graphs=(graph,), named_graphs=())
    return store.run_query(job)


def _parse(body: bytes, content_type: str | None, base_iri: str) -> tuple[Triple, ...]:
    """The triples of an RDF document, or of each part of a ``multipart/form-data`` body."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    if not media_type:
        raise Problem("unsupported-media-type", "the request needs the Content-Type of its RDF content")
    if media_type == "multipart/form-data":
        return tuple(
            triple for part_type, data in _parts(body, content_type) for triple in _parse(data, part_type, base_iri)
        )
    try:
        fmt = rdf_format(media_type)
    except ValueError:
        raise Problem("unsupported-media-type", f"cannot read RDF as {media_type}") from None
    dataset = parse_bytes(body, fmt, source="request body", base_iri=base_iri)
    triples = []
    for s, p, o, g in dataset.quads((None, None, None, None)):
        if isinstance(g, URIRef) and g != DEFAULT:
            raise Problem("bad-rdf", "graph store content must be triples, not quads in named graphs")
        triples.append((s, p, o))
    return tuple(triples)


def _parts(body: bytes, content_type: str | None) -> list[tuple[str, bytes]]:
    """The media type and content of each part of a ``multipart/form-data`` body (RFC 7578)."""
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    parts = []
    for part in message.iter_parts():
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            raise Problem("bad-request", "a part of the multipart body is not a single document")
        parts.append((part.get_content_type(), data))
    return parts


async def _write(
    pool: WorkerPool, change: GraphWrite, new_status: int, headers: dict[str, str] | None = None
) -> Response:
    """Pass a write through the gate: ``new_status`` if the graph is new, 204 otherwise, 422 if refused."""
    outcome = await submit(pool, change)
    if not outcome.committed:
        raise write_refused(outcome)
    created = change.graph != DEFAULT and change.graph not in outcome.existed
    return Response(status_code=new_status if created else 204, headers=headers)


def _base(settings: Settings, graph: URIRef) -> str:
    return str(graph) if graph != DEFAULT else f"{settings.base_url.rstrip('/')}{PREFIX}"


@router.get("")
@router.get("/{path:path}", openapi_extra=DIRECT)
@router.head("", include_in_schema=False)
@router.head("/{path:path}", include_in_schema=False)
async def get(request: Request, settings: SettingsDep, pool: PoolDep, parameters: QueryParameters) -> Response:
    """Read a graph (§5.2), or only its headers (HEAD, §5.3); 404 if there is no such graph."""
    graph = _target(request, settings, parameters)
    if graph is None:
        raise Problem("bad-request", "name a graph: ?graph=IRI or ?default")
    fmt = negotiate(RDF_FORMATS, request.headers.get("accept"), None)
    result = await pool.run(partial(read_graph, graph=graph, media_type=fmt.media_type))
    if result is None:
        raise Problem("not-found", f"there is no graph {graph}")
    body = b"" if request.method == "HEAD" else result.body
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept"})


@router.put("")
@router.put("/{path:path}", openapi_extra=DIRECT)
async def put(
    request: Request, settings: SettingsDep, pool: PoolDep, parameters: QueryParameters, body: Body, _: UpdateAuth
) -> Response:
    """Replace a graph's content (§5.4): 201 if the graph is new, 204 otherwise."""
    graph = _target(request, settings, parameters)
    if graph is None:
        raise Problem("bad-request", "name the graph to replace: ?graph=IRI or ?default")
    triples = await asyncio.to_thread(_parse, body, request.headers.get("content-type"), _base(settings, graph))
    return await _write(pool, GraphWrite(graph, triples), 201)


@router.delete("")
@router.delete("/{path:path}", openapi_extra=DIRECT)
async def delete(
    request: Request, settings: SettingsDep, pool: PoolDep, parameters: QueryParameters, _: UpdateAuth
) -> Response:
    """Remove a graph (§5.7); 404 if there is no such graph."""
    graph = _target(request, settings, parameters)
    if graph is None:
        raise Problem("bad-request", "name the graph to delete: ?graph=IRI or ?default")
    if graph != DEFAULT and graph not in await pool.run(methodcaller("named_graphs")):
        raise Problem("not-found", f"there is no graph {graph}")
    return await _write(pool, GraphWrite(graph), 204)


@router.post("")
@router.post("/{path:path}", openapi_extra=DIRECT)
async def post(
    request: Request, settings: SettingsDep, pool: PoolDep, parameters: QueryParameters, body: Body, _: UpdateAuth
) -> Response:
    """Add to a graph (§5.6), or create a new graph when posted to the graph store itself (§5.5)."""
    graph = _target(request, settings, parameters)
    headers = None
    if graph is None:
        graph = URIRef(f"{settings.base_url.rstrip('/')}{PREFIX}/{uuid.uuid4().hex}")
        headers = {"Location": str(graph)}
    triples = await asyncio.to_thread(_parse, body, request.headers.get("content-type"), _base(settings, graph))
    return await _write(pool, GraphWrite(graph, triples, merge=True), 201, headers)

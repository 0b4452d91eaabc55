"""The SPARQL 1.1 Protocol endpoint (https://www.w3.org/TR/sparql11-protocol/) at ``/sparql``.

- Query (§2.1): by GET, by URL-encoded POST and by direct POST (``application/sparql-query``), with the
  dataset given by ``default-graph-uri`` and ``named-graph-uri`` (§2.1.4); the result format chosen by
  content negotiation or a ``format`` parameter.
- Update (§2.2): by URL-encoded POST and by direct POST (``application/sparql-update``), with
  ``using-graph-uri`` and ``using-named-graph-uri`` (§2.2.3); only with the update token, and through the
  SHACL gate (``stancekb.update``).
- GET without a query answers the service description (``routes.service``).

Protocol errors are answered as problems: a wrong method 405, a missing or unsupported media type or a
charset other than UTF-8 415, several queries, a body that is not UTF-8 and a syntax error 400.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Header, Request, Response
from rdflib import URIRef

from stancekb.api.conneg import negotiate_each
from stancekb.api.deps import Body, PoolDep, QueryParameters, SettingsDep, require_update_token
from stancekb.api.problems import Problem, write_refused
from stancekb.api.routes.service import description_response
from stancekb.settings import Settings
from stancekb.store import QueryRequest, WorkerPool, valid_iri
from stancekb.update import SparqlUpdate, submit

router = APIRouter(prefix="/sparql", tags=["SPARQL 1.1 Protocol"])

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"

Parameters = Mapping[str, list[str]]


def endpoint(settings: Settings) -> str:
    """The endpoint's IRI: the base of relative IRIs in queries and updates (§2.1.4, §2.2.3 allow it)."""
    return f"{settings.base_url.rstrip('/')}/sparql"


def _one(parameters: Parameters, name: str) -> str | None:
    """The single value of a parameter, ``None`` if absent; several values are an error (§2.1.1)."""
    values = parameters.get(name, [])
    if len(values) > 1:
        raise Problem("bad-request", f"the request has {len(values)} '{name}' parameters; give exactly one")
    return values[0] if values else None


def _iris(parameters: Parameters, name: str) -> tuple[URIRef, ...]:
    return tuple(valid_iri(value) for value in parameters.get(name, []))


def _media_type(content_type: str | None) -> tuple[str, str]:
    """The media type of a Content-Type header, lower-cased, and its charset (UTF-8 if none is given)."""
    media_type, *parameters = (part.strip() for part in (content_type or "").split(";"))
    charset = "utf-8"
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media_type.lower(), charset


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Problem("bad-encoding", f"the {what} is not UTF-8: {error.reason} at byte {error.start}") from None


async def _query(
    request: Request, settings: Settings, pool: WorkerPool, sparql: str, parameters: Parameters
) -> Response:
    """Evaluate a query on a worker and answer its result in the negotiated format."""
    chosen = negotiate_each(request.headers.get("accept"), _one(parameters, "format"))
    dataset_given = "default-graph-uri" in parameters or "named-graph-uri" in parameters
    job = QueryRequest(
        sparql=sparql,
        media_types={kind: fmt.media_type if fmt else None for kind, fmt in chosen.items()},
        default_graphs=_iris(parameters, "default-graph-uri") if dataset_given else None,
        named_graphs=_iris(parameters, "named-graph-uri") if dataset_given else None,
        base_iri=endpoint(settings),
        max_results=settings.max_results,
        allow_service=settings.allow_service,
    )
    result = await pool.run(job)
    fmt = chosen[result.kind]
    assert fmt is not None, "the worker raises FormatUnavailable for a kind with no format"
    return Response(result.body, media_type=fmt.content_type, headers={"Vary": "Accept"})


async def _update(
    settings: Settings, pool: WorkerPool, text: str, parameters: Parameters, authorization: str | None
) -> Response:
    """Authenticate, then pass the update through the SHACL gate; 204 once committed."""
    require_update_token(settings, authorization)
    change = SparqlUpdate(
        text=text,
        using_graphs=tuple(map(str, _iris(parameters, "using-graph-uri"))),
        using_named_graphs=tuple(map(str, _iris(parameters, "using-named-graph-uri"))),
        base_iri=endpoint(settings),
        allow_network=settings.allow_service,
    )
    outcome = await submit(pool, change)
    if not outcome.committed:
        raise write_refused(outcome)
    return Response(status_code=204)


@router.get("")
async def get(request: Request, settings: SettingsDep, pool: PoolDep, parameters: QueryParameters) -> Response:
    """Query by GET (§2.1.1); without a query, the service description."""
    if "update" in parameters:
        raise Problem("bad-request", "an update must be sent by POST (SPARQL 1.1 Protocol §2.2), not by GET")
    sparql = _one(parameters, "query")
    if sparql is None:
        return await description_response(request, settings, pool)
    return await _query(request, settings, pool, sparql, parameters)


@router.post("")
async def post(
    request: Request,
    settings: SettingsDep,
    pool: PoolDep,
    parameters: QueryParameters,
    body: Body,
    content_type: Annotated[str | None, Header()] = None,
    authorization: Annotated[str | None, Header()] = None,
) -> Response:
    """Query or update by URL-encoded POST (§2.1.2, §2.2.1) or by direct POST (§2.1.3, §2.2.2)."""
    media_type, charset = _media_type(content_type)
    if not media_type:
        raise Problem(
            "unsupported-media-type",
            f"a POST needs a Content-Type: {FORM}, {QUERY} or {UPDATE}",
        )
    if media_type not in (FORM, QUERY, UPDATE):
        raise Problem(
            "unsupported-media-type",
            f"Content-Type {media_type} is not one of {FORM}, {QUERY}, {UPDATE}",
        )
    if charset not in ("utf-8", "utf8"):
        raise Problem("unsupported-media-type", f"the body must be UTF-8, not {charset}")
    if media_type == QUERY:
        return await _query(request, settings, pool, _decode(body, "query"), parameters)
    if media_type == UPDATE:
        return await _update(settings, pool, _decode(body, "update"), parameters, authorization)
    try:
        form = parse_qs(_decode(body, "form body"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as error:
        raise Problem("bad-encoding", f"the form is not UTF-8 once percent-decoded: {error.reason}") from None
    merged = {**parameters, **{name: parameters.get(name, []) + values for name, values in form.items()}}
    sparql, update = _one(merged, "query"), _one(merged, "update")
    if sparql is not None and update is not None:
        raise Problem("bad-request", "the form has both 'query' and 'update'; send one operation per request")
    if sparql is not None:
        return await _query(request, settings, pool, sparql, merged)
    if update is not None:
        return await _update(settings, pool, update, merged, authorization)
    raise Problem("bad-request", "the form has neither a 'query' nor an 'update' parameter")

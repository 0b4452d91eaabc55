"""Source documents (``/sources``): the articles the knowledge base is built from, one named graph each.

SPARQL: ``api/queries/sources.rq``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from stancekb.api import rest
from stancekb.api.deps import PoolDep, SettingsDep
from stancekb.api.models import SOURCE_EXAMPLE, Source, SourcePage
from stancekb.api.rest import IDENTIFIER_HELP, SOURCE, Each, Lookup, PagingDep, Representation

router = APIRouter(prefix="/sources", tags=["sources"], dependencies=rest.DEPENDENCIES)


@router.get(
    "", response_model=SourcePage, summary="List source documents", responses=rest.list_responses(SOURCE_EXAMPLE)
)
async def list_sources(
    request: Request,
    settings: SettingsDep,
    pool: PoolDep,
    paging: PagingDep,
    representation: Representation,
) -> Response:
    """The source documents, ordered by IRI, a page at a time."""
    lookup = Lookup(SOURCE.select(), SOURCE.variable, Each(Source.from_graph), offset=paging.offset, limit=paging.limit)
    answer = await rest.run(pool, lookup)
    return rest.respond(rest.page(answer, paging, request, settings), representation, settings)


@router.get(
    "/{source:path}",
    response_model=Source,
    summary="One source document",
    responses=rest.responses(SOURCE_EXAMPLE, SOURCE),
)
async def get_source(
    source: Annotated[str, Path(description=IDENTIFIER_HELP, examples=["rutte-stands-alone-new-nato"])],
    settings: SettingsDep,
    pool: PoolDep,
    representation: Representation,
) -> Response:
    """One source document: title, publisher, contributors, length, digest, reporting time, its graphs.

    Its statements: ``/stances?source=...``.
    """
    return rest.respond(await rest.fetch(pool, SOURCE, source, Source.from_graph), representation, settings)

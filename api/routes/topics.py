"""Topics (``/topics``): the SKOS scheme stances, propositions and meetings are classified by.

SPARQL: ``api/queries/topics.rq``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from rdflib import Literal

from stancekb.api import rest
from stancekb.api.deps import PoolDep, SettingsDep
from stancekb.api.models import TOPIC_EXAMPLE, Topic, TopicPage
from stancekb.api.rest import IDENTIFIER_HELP, TOPIC, Each, Lookup, PagingDep, Representation

router = APIRouter(prefix="/topics", tags=["topics"], dependencies=rest.DEPENDENCIES)


@router.get("", response_model=TopicPage, summary="List topics", responses=rest.list_responses(TOPIC_EXAMPLE))
async def list_topics(
    request: Request,
    settings: SettingsDep,
    pool: PoolDep,
    paging: PagingDep,
    representation: Representation,
    q: Annotated[
        str | None,
        Query(
            max_length=rest.MAX_TEXT, description="Text the topic's label contains, ignoring case.", examples=["nato"]
        ),
    ] = None,
) -> Response:
    """The topics, with their broader and narrower topics, ordered by label, a page at a time."""
    select = TOPIC.select({"q": Literal(q) if q is not None else None})
    lookup = Lookup(select, TOPIC.variable, Each(Topic.from_graph), offset=paging.offset, limit=paging.limit)
    answer = await rest.run(pool, lookup)
    return rest.respond(rest.page(answer, paging, request, settings), representation, settings)


@router.get("/{topic:path}", response_model=Topic, summary="One topic", responses=rest.responses(TOPIC_EXAMPLE, TOPIC))
async def get_topic(
    topic: Annotated[str, Path(description=IDENTIFIER_HELP, examples=["topic-nato-future"])],
    settings: SettingsDep,
    pool: PoolDep,
    representation: Representation,
) -> Response:
    """One topic, with its broader and narrower topics. Its stances: ``/stances?topic=...``."""
    return rest.respond(await rest.fetch(pool, TOPIC, topic, Topic.from_graph), representation, settings)

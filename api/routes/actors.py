"""Actors (``/actors``): search by label and type, and one actor's profile.

SPARQL: ``api/queries/actors.rq`` (the list) and ``api/queries/actor-profile.rq`` (what a profile gathers).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from rdflib import Literal
from rdflib.term import Node

from stancekb.api import rest
from stancekb.api.deps import PoolDep, SettingsDep
from stancekb.api.models import ACTOR_EXAMPLE, PROFILE_EXAMPLE, Actor, ActorPage, ActorProfile, ActorType
from stancekb.api.rest import ACTOR, IDENTIFIER_HELP, Lookup, PagingDep, Representation, Select

router = APIRouter(prefix="/actors", tags=["actors"], dependencies=rest.DEPENDENCIES)


@router.get(
    "",
    response_model=ActorPage,
    summary="Search actors by label and type",
    responses=rest.list_responses(ACTOR_EXAMPLE),
)
async def list_actors(
    request: Request,
    settings: SettingsDep,
    pool: PoolDep,
    paging: PagingDep,
    representation: Representation,
    q: Annotated[
        str | None,
        Query(
            max_length=rest.MAX_TEXT,
            description="Text that the actor's label, an alternative label or the source's description of it "
            "contains, ignoring case.",
            examples=["rutte"],
        ),
    ] = None,
    type_: Annotated[
        ActorType | None,
        Query(
            alias="type",
            description="Only actors of this class, its subclasses included (`Person` includes "
            "unnamed persons and anonymous sources).",
        ),
    ] = None,
) -> Response:
    """The actors (persons, organisations, groups), ordered by label, a page at a time."""
    select = ACTOR.select({"q": Literal(q) if q is not None else None, "type": type_.iri if type_ else None})
    answer = await rest.run(pool, Lookup(select, ACTOR.variable, offset=paging.offset, limit=paging.limit))
    found = rest.page(ActorPage, answer, Actor.from_graph, paging, request, settings)
    return rest.respond(found, representation, settings)


@router.get(
    "/{actor:path}",
    response_model=ActorProfile,
    summary="One actor's profile",
    responses=rest.responses(PROFILE_EXAMPLE, not_found=ACTOR, parameter="path"),
)
async def get_actor(
    actor: Annotated[str, Path(description=IDENTIFIER_HELP, examples=["mark-rutte"])],
    settings: SettingsDep,
    pool: PoolDep,
    representation: Representation,
) -> Response:
    """An actor and what the knowledge base says about them.

    Their offices (current and former), memberships, blocs and groups, the stances they hold and the stances
    about them, the meetings they attend, host and miss, and the dependencies both ways. The lists are complete
    (not paged).
    """
    iri = rest.identify(actor, "path")
    lookup = Lookup(
        Select.of("actor-profile", {"actor": iri}), "item", checks=(ACTOR.check(iri, "path"),), extra=(iri,)
    )
    answer = await rest.run(pool, lookup)
    related: dict[str, list[Node]] = {}
    for row in answer.rows:
        items = related.setdefault(str(row["relation"]), [])
        if row["item"] not in items:
            items.append(row["item"])
    return rest.respond(ActorProfile.from_related(answer.graph(), iri, related), representation, settings)

"""Actors (``/actors``): search by label and type, and one actor's profile.

SPARQL: ``api/queries/actors.rq`` (the list) and ``api/queries/actor-profile.rq`` (what a profile gathers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from rdflib import Literal, URIRef
from rdflib.term import Node

from stancekb.api import rest
from stancekb.api.deps import PoolDep, SettingsDep
from stancekb.api.models import ACTOR_EXAMPLE, PROFILE_EXAMPLE, Actor, ActorPage, ActorProfile, ActorType
from stancekb.api.rest import ACTOR, IDENTIFIER_HELP, Each, Found, Lookup, PagingDep, Representation, Select, dump

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
    lookup = Lookup(select, ACTOR.variable, Each(Actor.from_graph), offset=paging.offset, limit=paging.limit)
    answer = await rest.run(pool, lookup)
    return rest.respond(rest.page(answer, paging, request, settings), representation, settings)


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
    profile = Select.of("actor-profile", {"actor": iri})
    lookup = Lookup(profile, "item", Profile(iri), checks=(ACTOR.check(iri, "path"),), extra=(iri,))
    return rest.respond((await rest.run(pool, lookup)).body, representation, settings)


@dataclass(frozen=True)
class Profile:
    """Shapes an actor's profile from what ``actor-profile.rq`` relates to the actor (in the worker)."""

    actor: URIRef

    def __call__(self, found: Found) -> dict[str, Any]:
        """The profile as JSON."""
        related: dict[str, list[Node]] = {}
        for row in found.rows:
            items = related.setdefault(str(row["relation"]), [])
            if row["item"] not in items:
                items.append(row["item"])
        return dump(ActorProfile.from_related(found.graph, self.actor, related))

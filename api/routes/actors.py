"""Actors (``/actors``): search by label and type, and one actor's profile.

SPARQL: ``api/queries/actors.rq`` (the list and the actor) and ``api/queries/actor-profile.rq`` (each list of a
profile, served bounded in the profile and complete, paged, at ``/actors/{id}/{list}``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic.alias_generators import to_snake
from rdflib import Literal, URIRef

from stancekb.api import rest
from stancekb.api.deps import PoolDep, SettingsDep
from stancekb.api.models import (
    ACTOR_EXAMPLE,
    PROFILE_EXAMPLE,
    PROFILE_LISTS,
    Actor,
    ActorPage,
    ActorProfile,
    ActorType,
    ProfileList,
    list_path,
)
from stancekb.api.rest import ACTOR, IDENTIFIER_HELP, Answer, Check, Each, Lookup, PagingDep, Representation, Select
from stancekb.store import Store

router = APIRouter(prefix="/actors", tags=["actors"], dependencies=rest.DEPENDENCIES)

PROFILE_LIMIT = 10
"""How many items each list of a profile shows by default: twelve lists of full stances and meetings, each
item described by its own query (about 1-3 ms at a million triples), make a profile of 20 a list twice as slow."""


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


def list_lookup(actor: URIRef, name: str, offset: int, limit: int, checks: tuple[Check, ...] = ()) -> Lookup:
    """The lookup of a page of one list of an actor's profile (``actor-profile.rq`` with the list's flag)."""
    select, count = (Select.of("actor-profile", {"actor": actor}, [name, *flags]) for flags in ([], ["count"]))
    return Lookup(select, "item", Each(PROFILE_LISTS[name].read), checks, offset, limit, count=count)


def add_list_route(name: str, profile_list: ProfileList) -> None:
    """Serve one list of the profile, complete and paged, at ``/actors/{id}/{list_path(name)}``."""
    description = ActorProfile.model_fields[to_snake(name)].description

    async def list_of_actor(
        request: Request,
        actor: Annotated[str, Path(description=IDENTIFIER_HELP, examples=["mark-rutte"])],
        settings: SettingsDep,
        pool: PoolDep,
        paging: PagingDep,
        representation: Representation,
    ) -> Response:
        iri = rest.identify(actor, "path")
        answer = await rest.run(pool, list_lookup(iri, name, paging.offset, paging.limit, (ACTOR.check(iri, "path"),)))
        return rest.respond(rest.page(answer, paging, request, settings), representation, settings)

    list_of_actor.__doc__ = (
        f"{description} The complete list of the profile's `{name}`, ordered by IRI, a page at a time."
    )
    router.add_api_route(
        f"/{{actor:path}}/{list_path(name)}",
        list_of_actor,
        response_model=profile_list.page,
        summary=f"One actor's {list_path(name).replace('-', ' ')}, paged",
        responses=rest.list_responses(profile_list.example, not_found=ACTOR, parameter="path"),
        name=f"actor_{to_snake(name)}",
    )


for _name, _list in PROFILE_LISTS.items():
    add_list_route(_name, _list)


@router.get(
    "/{actor:path}",
    response_model=ActorProfile,
    summary="One actor's profile",
    responses=rest.responses(PROFILE_EXAMPLE, not_found=ACTOR, parameter="path"),
)
async def get_actor(
    request: Request,
    actor: Annotated[str, Path(description=IDENTIFIER_HELP, examples=["mark-rutte"])],
    settings: SettingsDep,
    pool: PoolDep,
    representation: Representation,
    limit: Annotated[
        int,
        Query(ge=0, le=rest.MAX_LIMIT, description="The most items each list of the profile shows (0: totals only)."),
    ] = PROFILE_LIMIT,
) -> Response:
    """An actor and what the knowledge base says about them.

    Their offices (current and former), memberships, blocs and groups, the stances they hold and the stances
    about them, the meetings they attend, host and miss, and the dependencies both ways. Each list shows its
    first `limit` items, ordered by IRI; `lists` gives each list's `total` and `href`, the complete list paged
    like every list (`/actors/{id}/stances-held`, ...).

    Why a sub-resource for every list rather than a link to a filtered list endpoint where one exists: the
    endpoints' filters mean other things (`/meetings?participant=` counts hosts too, `/stances?target=`
    leaves out stances about a proposition about the actor), so one query (`actor-profile.rq`) serves both
    the profile's first items and the complete list: the link always gives exactly the items counted.
    """
    iri = rest.identify(actor, "path")
    base = settings.base_url.rstrip("/") + request.url.path
    links = {name: f"{base}/{list_path(name)}" for name in PROFILE_LISTS}
    lookup = ProfileLookup(iri, limit, links)
    return rest.respond((await rest.run(pool, lookup)).body, representation, settings)


@dataclass(frozen=True)
class ProfileLookup:
    """An actor's profile, in a worker: the actor, then each list's first ``limit`` items and total (picklable)."""

    actor: URIRef
    limit: int
    links: dict[str, str]

    def __call__(self, store: Store) -> Answer:
        """Run on a store (in a worker): a lookup of the actor, then one lookup a list."""
        found = Lookup(ACTOR.select({"actor": self.actor}), ACTOR.variable, Each(Actor.from_graph))(store)
        if not found.total:
            return Answer(missing=ACTOR.check(self.actor, "path"))
        body: dict[str, Any] = found.body[0]
        lists = {}
        for name in PROFILE_LISTS:
            answer = list_lookup(self.actor, name, 0, self.limit)(store)
            body[name] = answer.body
            lists[name] = {"total": answer.total, "href": self.links[name]}
        return Answer(total=1, body={**body, "limit": self.limit, "lists": lists})

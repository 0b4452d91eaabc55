"""Dependencies (``/dependencies``): who relies on whom for what, directly or along chains.

SPARQL: ``api/queries/dependencies.rq``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from stancekb.api import rest
from stancekb.api.deps import PoolDep, SettingsDep
from stancekb.api.models import DEPENDENCY_EXAMPLE, Dependency, DependencyPage, Resource
from stancekb.api.rest import ACTOR, DEPENDENCY, IDENTIFIER_HELP, Each, Lookup, PagingDep, Representation, identifier

router = APIRouter(prefix="/dependencies", tags=["dependencies"], dependencies=rest.DEPENDENCIES)


@router.get(
    "",
    response_model=DependencyPage,
    summary="Search dependencies",
    responses=rest.list_responses(DEPENDENCY_EXAMPLE, not_found=ACTOR, parameter="depender"),
)
async def list_dependencies(
    request: Request,
    settings: SettingsDep,
    pool: PoolDep,
    paging: PagingDep,
    representation: Representation,
    depender: Annotated[str | None, identifier("The actor who depends.", "nato")] = None,
    dependee: Annotated[str | None, identifier("The actor depended upon.", "united-states")] = None,
    resource: Annotated[Resource | None, Query(description="What is depended on (skb:dependum).")] = None,
    transitive: Annotated[
        bool,
        Query(
            description="Follow depender -> dependee chains (a SPARQL property path): with a depender, also the "
            "dependencies of those it depends on, directly or not; with a dependee, also those of the actors that "
            "depend on it. `resource` filters the dependencies found, not the chains."
        ),
    ] = False,
) -> Response:
    """The dependencies that pass every filter given, ordered by IRI, a page at a time."""
    iris, checks = rest.resolve({"depender": (depender, ACTOR), "dependee": (dependee, ACTOR)})
    select = DEPENDENCY.select({**iris, "resource": resource.iri if resource else None}, ["transitive"] * transitive)
    lookup = Lookup(select, DEPENDENCY.variable, Each(Dependency.from_graph), checks, paging.offset, paging.limit)
    answer = await rest.run(pool, lookup)
    return rest.respond(rest.page(answer, paging, request, settings), representation, settings)


@router.get(
    "/{dependency:path}",
    response_model=Dependency,
    summary="One dependency",
    responses=rest.responses(DEPENDENCY_EXAMPLE, DEPENDENCY),
)
async def get_dependency(
    dependency: Annotated[
        str, Path(description=IDENTIFIER_HELP, examples=["rutte-stands-alone-new-nato/dependency-europe-us-troops"])
    ],
    settings: SettingsDep,
    pool: PoolDep,
    representation: Representation,
) -> Response:
    """One dependency, with its depender, dependee, resources, quantities, channels and evidence."""
    found = await rest.fetch(pool, DEPENDENCY, dependency, Dependency.from_graph)
    return rest.respond(found, representation, settings)

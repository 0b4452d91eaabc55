"""Stances (``/stances``): who takes which position on what, filtered every way a researcher asks.

SPARQL: ``api/queries/stances.rq``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from stancekb.api import rest
from stancekb.api.deps import PoolDep, SettingsDep
from stancekb.api.models import STANCE_EXAMPLE, Period, Polarity, ReportingMode, Stance, StancePage
from stancekb.api.rest import (
    ACTOR,
    ANY,
    IDENTIFIER_HELP,
    SOURCE,
    STANCE,
    TOPIC,
    Each,
    Lookup,
    PagingDep,
    Representation,
    identifier,
)

router = APIRouter(prefix="/stances", tags=["stances"], dependencies=rest.DEPENDENCIES)


@router.get(
    "",
    response_model=StancePage,
    summary="Search stances",
    responses=rest.list_responses(STANCE_EXAMPLE, not_found=ACTOR, parameter="holder"),
)
async def list_stances(
    request: Request,
    settings: SettingsDep,
    pool: PoolDep,
    paging: PagingDep,
    representation: Representation,
    holder: Annotated[str | None, identifier("The actor who holds the stance.", "giuseppe-spatafora")] = None,
    target: Annotated[
        str | None, identifier("What the stance is about: a proposition, topic, actor or event.", "ukraine")
    ] = None,
    topic: Annotated[
        str | None, identifier("A topic of the stance, or a broader topic of one.", "topic-nato-future")
    ] = None,
    source: Annotated[
        str | None,
        identifier("The source document the stance's evidence lies in.", "rutte-stands-alone-new-nato"),
    ] = None,
    polarity: Annotated[Polarity | None, Query(description="For or against the target.")] = None,
    mode: Annotated[
        ReportingMode | None, Query(description="Quotation, paraphrase or the outlet's reporting (skb:reportingMode).")
    ] = None,
    anonymous: Annotated[
        bool | None,
        Query(
            description="`true`: only stances of unnamed persons (anonymous "
            "sources among them); `false`: only those of named actors."
        ),
    ] = None,
    period: Annotated[
        Period | None,
        Query(
            description="`current`: stances that hold at their document's "
            "reporting time; `former`: stances that held before it. The KB invents "
            "no dates: this is the stance's skb:holdsDuring interval against the "
            "document's skb:reportingTime."
        ),
    ] = None,
) -> Response:
    """The stances that pass every filter given, ordered by IRI, a page at a time."""
    iris, checks = rest.resolve(
        {"holder": (holder, ACTOR), "target": (target, ANY), "topic": (topic, TOPIC), "source": (source, SOURCE)}
    )
    flags = {True: ["anonymous"], False: ["named"], None: []}[anonymous] + (["period"] if period else [])
    bindings = {
        **iris,
        "polarity": polarity.iri if polarity else None,
        "mode": mode.iri if mode else None,
        "relation": period.relation if period else None,
    }
    select, count = STANCE.select(bindings, flags), STANCE.count(bindings, flags)
    lookup = Lookup(select, STANCE.variable, Each(Stance.from_graph), checks, paging.offset, paging.limit, count=count)
    answer = await rest.run(pool, lookup)
    return rest.respond(rest.page(answer, paging, request, settings), representation, settings)


@router.get(
    "/{stance:path}", response_model=Stance, summary="One stance", responses=rest.responses(STANCE_EXAMPLE, STANCE)
)
async def get_stance(
    stance: Annotated[
        str, Path(description=IDENTIFIER_HELP, examples=["rutte-stands-alone-new-nato/stance-spatafora-unenviable"])
    ],
    settings: SettingsDep,
    pool: PoolDep,
    representation: Representation,
) -> Response:
    """One stance, with its holder, targets, polarity, reporting mode, topics, quotes and evidence."""
    return rest.respond(await rest.fetch(pool, STANCE, stance, Stance.from_graph), representation, settings)

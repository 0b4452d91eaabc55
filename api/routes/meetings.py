"""Meetings (``/meetings``): who met, who stayed away, where, and within or outside which framework.

SPARQL: ``api/queries/meetings.rq``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from stancekb.api import rest
from stancekb.api.deps import PoolDep, SettingsDep
from stancekb.api.models import MEETING_EXAMPLE, Meeting, MeetingPage
from stancekb.api.rest import (
    ACTOR,
    ANY,
    IDENTIFIER_HELP,
    MEETING,
    TOPIC,
    Each,
    Lookup,
    PagingDep,
    Representation,
    identifier,
)

router = APIRouter(prefix="/meetings", tags=["meetings"], dependencies=rest.DEPENDENCIES)


@router.get(
    "",
    response_model=MeetingPage,
    summary="Search meetings",
    responses=rest.list_responses(MEETING_EXAMPLE, not_found=ACTOR, parameter="participant"),
)
async def list_meetings(
    request: Request,
    settings: SettingsDep,
    pool: PoolDep,
    paging: PagingDep,
    representation: Representation,
    participant: Annotated[
        str | None, identifier("An actor who takes part in the meeting or hosts it.", "donald-trump")
    ] = None,
    absentee: Annotated[str | None, identifier("An actor the source names as absent.", "mark-rutte")] = None,
    place: Annotated[
        str | None, identifier("Where the meeting is, or a place that lies around it (`france` for Paris).", "paris")
    ] = None,
    within: Annotated[
        str | None, identifier("An organisation the meeting is held within the framework of.", "nato")
    ] = None,
    outside: Annotated[
        str | None, identifier("An organisation the meeting is held outside the framework of.", "nato")
    ] = None,
    topic: Annotated[
        str | None, identifier("A topic of the meeting, or a broader topic of one.", "topic-ukraine-war")
    ] = None,
) -> Response:
    """The meetings that pass every filter given, ordered by IRI, a page at a time."""
    iris, checks = rest.resolve(
        {
            "participant": (participant, ACTOR),
            "absentee": (absentee, ACTOR),
            "place": (place, ANY),
            "within": (within, ACTOR),
            "outside": (outside, ACTOR),
            "topic": (topic, TOPIC),
        }
    )
    lookup = Lookup(
        MEETING.select(iris), MEETING.variable, Each(Meeting.from_graph), checks, paging.offset, paging.limit
    )
    answer = await rest.run(pool, lookup)
    return rest.respond(rest.page(answer, paging, request, settings), representation, settings)


@router.get(
    "/{meeting:path}", response_model=Meeting, summary="One meeting", responses=rest.responses(MEETING_EXAMPLE, MEETING)
)
async def get_meeting(
    meeting: Annotated[str, Path(description=IDENTIFIER_HELP, examples=["rutte-stands-alone-new-nato/meeting-paris"])],
    settings: SettingsDep,
    pool: PoolDep,
    representation: Representation,
) -> Response:
    """One meeting, with its participants, hosts, absentees, places, times, frameworks, topics and evidence."""
    return rest.respond(await rest.fetch(pool, MEETING, meeting, Meeting.from_graph), representation, settings)

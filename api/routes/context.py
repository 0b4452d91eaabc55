"""The JSON-LD context of the REST answers and of the dumps, at ``/context.jsonld``.

It is the package's context (``kb/context.jsonld``: the prefixes) with the REST layer's terms added
(``stancekb.api.rest.context_document``), so that a JSON-LD answer whose ``@context`` is this URL expands to the
triples it was read from.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from stancekb.api.rest import JSON_LD, context_document
from stancekb.export import CONTEXT_PATH

router = APIRouter(tags=["JSON-LD context"])


@router.get(CONTEXT_PATH, summary="The JSON-LD context", response_class=JSONResponse)
async def get_context() -> JSONResponse:
    """The JSON-LD context that the REST answers in JSON-LD name as their ``@context``."""
    return JSONResponse(
        context_document(), media_type=JSON_LD.media_type, headers={"Cache-Control": "public, max-age=3600"}
    )

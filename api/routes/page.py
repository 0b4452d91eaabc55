"""The query page: a SPARQL editor over ``/sparql`` at the server's root, and the API docs, all served here.

- ``GET /`` the page (``api/static/index.html``); its script runs queries on ``/sparql`` with ``fetch``.
- ``GET /examples.json`` the competency questions (``kb/queries/*.rq``) as ready examples.
- ``GET /static/...`` the page's assets and the vendored Swagger UI (``api/static/vendor/swagger-ui``).
- ``GET /docs`` Swagger UI over the OpenAPI description, from the vendored files: FastAPI's own ``/docs``
  loads it from a CDN, so ``create_app`` must turn that off (``docs_url=None``) for this one to answer.

Nothing the pages load comes from another host.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from stancekb.api.problems import Problem
from stancekb.resources import query_files

router = APIRouter(tags=["query page"])
router.mount("/static", StaticFiles(packages=[("stancekb.api", "static")]), name="static")

QUESTION_LINE = "# Question:"
"""How each competency question file starts: the question in words follows on the same line."""


class Example(BaseModel):
    """A competency question: its name (the file's, without ``.rq``), the question in words, and the query."""

    name: str
    question: str
    query: str


@cache
def examples() -> list[Example]:
    """The competency questions in file order; read once, they are package data."""
    found = []
    for entry in query_files():
        query = entry.read_text(encoding="utf-8")
        first_line = query.partition("\n")[0]
        found.append(
            Example(
                name=entry.name.removesuffix(".rq"),
                question=first_line.removeprefix(QUESTION_LINE).strip(),
                query=query,
            )
        )
    return found


@router.get("/", include_in_schema=False)
async def page() -> HTMLResponse:
    """The query page."""
    return HTMLResponse((files("stancekb.api") / "static" / "index.html").read_text(encoding="utf-8"))


@router.get("/examples.json")
async def example_queries() -> list[Example]:
    """The competency questions, each with its question in words and its SPARQL query."""
    return examples()


@router.get("/docs", include_in_schema=False)
async def docs(request: Request) -> HTMLResponse:
    """Swagger UI over the app's OpenAPI description, loaded from this server's vendored copy."""
    openapi_url = request.app.openapi_url
    if openapi_url is None:
        raise Problem("not-found", "this server publishes no OpenAPI description")
    root = request.scope.get("root_path", "")
    return get_swagger_ui_html(
        openapi_url=root + openapi_url,
        title=f"{request.app.title}: HTTP API",
        swagger_js_url=f"{root}/static/vendor/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url=f"{root}/static/vendor/swagger-ui/swagger-ui.css",
        swagger_favicon_url=f"{root}/static/favicon.svg",
        # Swagger UI's default validator shows a badge fetched from validator.swagger.io: none here.
        swagger_ui_parameters={"validatorUrl": None},
    )

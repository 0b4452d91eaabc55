"""Errors as problem details (RFC 9457, https://www.rfc-editor.org/rfc/rfc9457): ``application/problem+json``.

Every error the API answers is a ``Problem`` of a kind listed in ``KINDS``; the handlers installed by
``install_handlers`` also turn FastAPI's own errors (unknown path, wrong method, invalid parameters) into
problems, and an unexpected exception into a bare 500 problem that shows no traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from stancekb.api.conneg import OFFERED, NotAcceptable
from stancekb.rdfio import RdfInputError
from stancekb.remote import EndpointUnavailable
from stancekb.store import (
    ForbiddenOperation,
    FormatUnavailable,
    InvalidIri,
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
    StoreError,
)
from stancekb.update import DatasetConflict, WriteOutcome

PROBLEM_TYPES = "https://w3id.org/stancekb/problem/"
"""Namespace of the problem type IRIs (``type`` member)."""

MEDIA_TYPE = "application/problem+json"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kind:
    """A problem type: its HTTP status and its short human-readable title."""

    status: int
    title: str


KINDS: dict[str, Kind] = {
    "bad-request": Kind(400, "Bad request"),
    "query-syntax": Kind(400, "SPARQL syntax error"),
    "bad-encoding": Kind(400, "Request body is not UTF-8"),
    "bad-rdf": Kind(400, "RDF content cannot be parsed"),
    "forbidden-operation": Kind(400, "Operation not allowed on this server"),
    "dataset-conflict": Kind(400, "Conflicting RDF dataset"),
    "result-too-large": Kind(400, "Result too large"),
    "unauthorized": Kind(401, "Authentication required"),
    "not-found": Kind(404, "Not found"),
    "method-not-allowed": Kind(405, "Method not allowed"),
    "not-acceptable": Kind(406, "Not acceptable"),
    "content-too-large": Kind(413, "Request body too large"),
    "unsupported-media-type": Kind(415, "Unsupported media type"),
    "shacl-violation": Kind(422, "The write would leave the knowledge base invalid"),
    "internal-error": Kind(500, "Internal server error"),
    "unavailable": Kind(503, "Service unavailable"),
    "query-timeout": Kind(503, "Query timed out"),
}
"""The problem types this API answers with, by slug (the last segment of the type IRI)."""

ERRORS: dict[type[Exception], str] = {
    QuerySyntaxError: "query-syntax",
    ForbiddenOperation: "forbidden-operation",
    ResultTooLarge: "result-too-large",
    QueryTimeout: "query-timeout",
    DatasetConflict: "dataset-conflict",
    InvalidIri: "bad-request",
    FormatUnavailable: "not-acceptable",
    NotAcceptable: "not-acceptable",
    RdfInputError: "bad-rdf",
    EndpointUnavailable: "unavailable",
    StoreError: "internal-error",
}
"""The problem kind of each library error (the most specific class listed wins)."""

_BY_STATUS = {kind.status: slug for slug, kind in reversed(KINDS.items())}


class Problem(Exception):
    """An error answered as a problem details document; ``extensions`` become extra members."""

    def __init__(
        self,
        kind: str,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.headers = dict(headers or {})
        self.extensions = dict(extensions or {})

    @property
    def status(self) -> int:
        """The HTTP status code of this problem's kind."""
        return KINDS[self.kind].status

    def response(self) -> JSONResponse:
        """The problem as an HTTP response."""
        body = {
            "type": PROBLEM_TYPES + self.kind,
            "title": KINDS[self.kind].title,
            "status": self.status,
            "detail": self.detail,
            **self.extensions,
        }
        return JSONResponse(body, status_code=self.status, headers=self.headers, media_type=MEDIA_TYPE)


def write_refused(outcome: WriteOutcome) -> Problem:
    """The 422 problem of a write the SHACL gate refused, with the validation report."""
    return Problem(
        "shacl-violation",
        f"nothing was changed. {outcome.report}",
        extensions={
            "violations": [
                {
                    "focusNode": violation.focus_node.n3(),
                    "resultPath": violation.result_path.n3() if violation.result_path is not None else None,
                    "value": violation.value.n3() if violation.value is not None else None,
                    "sourceShape": violation.source_shape.n3(),
                    "constraint": str(violation.constraint),
                    "severity": str(violation.severity),
                    "message": violation.message,
                }
                for violation in outcome.violations
            ],
            "report": outcome.report_turtle,
        },
    )


async def _problem(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, Problem)
    return error.response()


async def _library_error(_: Request, error: Exception) -> JSONResponse:
    kind = next(ERRORS[cls] for cls in type(error).__mro__ if cls in ERRORS)
    detail = str(error)
    if isinstance(error, FormatUnavailable):
        available = ", ".join(fmt.media_type for fmt in OFFERED[error.kind])
        detail = f"the query gives {error.kind} results, for which no accepted format exists; available: {available}"
    if kind == "internal-error":
        log.error("store error: %s", detail)
    return Problem(kind, detail).response()


async def _http_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    kind = _BY_STATUS.get(error.status_code, "bad-request" if error.status_code < 500 else "internal-error")
    detail = error.detail if isinstance(error.detail, str) else KINDS[kind].title
    problem = Problem(kind, detail, headers=error.headers)
    response = problem.response()
    response.status_code = error.status_code
    return response


async def _invalid_request(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    details = "; ".join(
        f"{'.'.join(str(part) for part in item.get('loc', ()))}: {item.get('msg', '')}" for item in error.errors()
    )
    return Problem("bad-request", details or "invalid request").response()


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
    return Problem("internal-error", "an unexpected error occurred; it has been logged").response()


def install_handlers(app: FastAPI) -> None:
    """Answer every error of the app as a problem."""
    app.add_exception_handler(Problem, _problem)
    for error_class in ERRORS:
        app.add_exception_handler(error_class, _library_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(Exception, _unexpected)

"""What the routes depend on, as ``Annotated`` aliases: settings, worker pool, body, update token, parameters."""

from __future__ import annotations

import hmac
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import Depends, Header, Request

from stancekb.api.problems import Problem
from stancekb.settings import Settings
from stancekb.store import WorkerPool


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_pool(request: Request) -> WorkerPool:
    """The worker pool that runs queries and trial writes on snapshots of the store.

    Routes reach the store only through it (no ``Store`` dependency): a query then has the server's timeout,
    and no thread of the server is inside the store when a worker is forked.
    """
    pool: WorkerPool = request.app.state.pool
    return pool


SettingsDep = Annotated[Settings, Depends(get_settings)]
PoolDep = Annotated[WorkerPool, Depends(get_pool)]


def require_update_token(settings: SettingsDep, authorization: Annotated[str | None, Header()] = None) -> None:
    """Bearer authentication of writes (RFC 6750 §2.1), the token compared in constant time.

    A missing or wrong token answers 401, the same whether or not a token is configured (with none, writes
    are off and no token is right), so that the answer does not tell whether updates are enabled. The token
    is never echoed, logged or put in an error message.
    """
    scheme, _, token = (authorization or "").partition(" ")
    expected = settings.update_token.get_secret_value().encode() if settings.update_token is not None else None
    given = token.strip().encode()
    if scheme.lower() != "bearer" or expected is None or not hmac.compare_digest(given, expected):
        challenge = 'Bearer realm="stancekb"' + (', error="invalid_token"' if authorization else "")
        raise Problem(
            "unauthorized",
            "writes need the header 'Authorization: Bearer <update token>'"
            + (": the token given is not the right one" if authorization else ""),
            headers={"WWW-Authenticate": challenge},
        )


UpdateAuth = Annotated[None, Depends(require_update_token)]


async def read_body(request: Request, settings: SettingsDep) -> bytes:
    """The request body, refused with 413 past ``settings.max_body_bytes`` (declared or actually sent)."""
    limit = settings.max_body_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise Problem("content-too-large", f"the request body is larger than {limit} bytes, the most accepted")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem("content-too-large", f"the request body is larger than {limit} bytes, the most accepted")
        chunks.append(chunk)
    return b"".join(chunks)


Body = Annotated[bytes, Depends(read_body)]


def query_parameters(request: Request) -> dict[str, list[str]]:
    """The URL's query parameters, each with all its values (percent-decoded once, as UTF-8)."""
    try:
        return parse_qs(request.url.query, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as error:
        raise Problem("bad-encoding", f"the query string is not UTF-8 once percent-decoded: {error.reason}") from None


QueryParameters = Annotated[dict[str, list[str]], Depends(query_parameters)]

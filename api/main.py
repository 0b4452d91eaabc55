"""The HTTP app: ``create_app`` builds it, ``run`` serves it with uvicorn (``stancekb serve``).

``create_app`` wires settings, store, worker pool, CORS and error handling, and includes the routers listed
in ``stancekb.api.routes.ROUTERS``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from stancekb.api.problems import install_handlers
from stancekb.api.routes import ROUTERS
from stancekb.settings import Settings
from stancekb.store import Store, StoreError, WorkerPool, open_store

log = logging.getLogger(__name__)

KEEP_ALIVE_SECONDS = 75
"""How long the server keeps an idle HTTP/1.1 connection open (uvicorn's default is 5 s).

It must be longer than the idle expiry of the clients and proxies that reuse connections without retrying:
httpx expires an idle connection after 5 s, nginx and cloud load balancers after 60 s. With uvicorn's 5 s,
a client reusing a connection idle for just under 5 s races the server closing it, and sees the request
fail with a reset (httpx ``ReadError``) or "server disconnected without sending a response"
(docs/security.md, "Load test").
"""


def _load_kb(store: Store) -> None:
    """Load the packaged knowledge base (checked by the test suite, so not validated again at each start)."""
    from stancekb.load import load_packaged_kb  # lazily: the CLI and tests may serve without it

    report = load_packaged_kb(store)
    if not report.committed:
        details = report.validation.text() if report.validation else "it was not committed"
        raise StoreError(f"the packaged knowledge base could not be loaded: {details}")
    log.info("loaded the knowledge base: %d graphs, %d quads", len(report.graphs), len(store))


def create_app(settings: Settings | None = None, store: Store | None = None) -> FastAPI:
    """The StanceKB HTTP app over ``store`` (default: the one ``settings.store`` names, KB loaded if asked).

    Queries and trial writes run in a ``WorkerPool`` of forked processes, started with the app and stopped
    with it; so the app must run in one process (uvicorn without ``--workers``).
    """
    settings = settings or Settings()
    owned = store is None
    if store is None:
        store = open_store(settings.store)
        if settings.load_kb:
            _load_kb(store)
    served: Store = store

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = WorkerPool(served, size=max(2, os.cpu_count() or 2), timeout=settings.query_timeout)
        await pool.start()
        app.state.pool = pool
        try:
            yield
        finally:
            await pool.close()
            if owned:
                served.close()

    app = FastAPI(
        title="StanceKB",
        summary="Actors, stances, meetings and dependencies from news articles, as linked data.",
        lifespan=lifespan,
        docs_url=None,  # routes/page.py serves /docs with Swagger UI from this server, not a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = served
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=False,  # never with a wildcard origin, and writes are not for browsers of other sites
        allow_methods=["GET", "HEAD", "POST"],
        allow_headers=["Accept", "Content-Type"],
        expose_headers=["Location", "Content-Type"],
    )
    install_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    return app


def server_config(app: Any, settings: Settings, **options: Any) -> uvicorn.Config:
    """The uvicorn configuration serving ``app`` on ``settings.host``:``settings.port`` (``options`` override)."""
    defaults: dict[str, Any] = {"log_level": "info", "timeout_keep_alive": KEEP_ALIVE_SECONDS}
    return uvicorn.Config(app, host=settings.host, port=settings.port, **{**defaults, **options})


def run(settings: Settings) -> None:
    """Serve the app with uvicorn on ``settings.host``:``settings.port`` until interrupted."""
    uvicorn.Server(server_config(create_app(settings), settings)).run()

"""The API's routers, one per resource: ``ROUTERS`` is the registry ``create_app`` includes, in order.

To add a resource, write its module with a ``router`` and add one line to ``ROUTERS``.
"""

from fastapi import APIRouter

from stancekb.api.routes import (
    actors,
    context,
    dependencies,
    dumps,
    graph_store,
    linked_data,
    meetings,
    page,
    pictures,
    service,
    sources,
    sparql,
    stances,
    topics,
)

ROUTERS: list[APIRouter] = [
    sparql.router,
    graph_store.router,
    service.router,
    page.router,
    actors.router,
    stances.router,
    meetings.router,
    dependencies.router,
    topics.router,
    sources.router,
    context.router,
    pictures.router,
    linked_data.router,
    dumps.router,
]

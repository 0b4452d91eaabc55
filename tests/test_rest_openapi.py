"""The OpenAPI description of the REST layer: every endpoint documents its answers with examples (JSON and
JSON-LD) and its problems, every parameter is described, and every example is a valid answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel
from test_rest_support import ask, rest_client

from stancekb.api import models
from stancekb.api.routes import actors, dependencies, meetings, sources, stances, topics


def openapi_path(route: APIRoute) -> str:
    """The route's path as OpenAPI writes it (``{actor}`` for ``{actor:path}``)."""
    return route.path.replace(":path}", "}")


REST_ROUTES = [
    route
    for module in (actors, stances, meetings, dependencies, topics, sources)
    for route in module.router.routes
    if isinstance(route, APIRoute)
]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with rest_client() as running:
        yield running


@pytest.fixture(scope="module")
def openapi(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def test_every_resource_has_a_list_and_a_detail_endpoint(openapi: dict[str, Any]) -> None:
    paths = set(openapi["paths"])
    for resource in ("actors", "stances", "meetings", "dependencies", "topics", "sources"):
        assert f"/{resource}" in paths
        assert any(p.startswith(f"/{resource}/{{") for p in paths)
    assert "/context.jsonld" in paths


@pytest.mark.parametrize("route", REST_ROUTES, ids=openapi_path)
def test_every_endpoint_has_examples_and_problems(openapi: dict[str, Any], route: APIRoute) -> None:
    operation = openapi["paths"][openapi_path(route)]["get"]
    assert operation["summary"] and operation["description"] and operation["tags"]
    ok = operation["responses"]["200"]["content"]
    assert ok["application/json"]["example"]
    assert ok["application/ld+json"]["example"]["@context"].endswith("/context.jsonld")
    assert "$ref" in ok["application/json"]["schema"]
    for status in ("400", "406", "503") + (("404",) if "{" in route.path else ()):
        problem = operation["responses"][status]["content"]["application/problem+json"]
        assert problem["example"]["status"] == int(status) and problem["schema"]
    assert "422" not in operation["responses"], "this API answers invalid input with 400, never 422"


@pytest.mark.parametrize("route", REST_ROUTES, ids=openapi_path)
def test_every_parameter_is_described(openapi: dict[str, Any], route: APIRoute) -> None:
    for parameter in openapi["paths"][openapi_path(route)]["get"]["parameters"]:
        assert parameter.get("description"), parameter["name"]


@pytest.mark.parametrize("route", REST_ROUTES, ids=openapi_path)
def test_examples_are_valid_answers(client: TestClient, openapi: dict[str, Any], route: APIRoute) -> None:
    """Each example validates against the endpoint's model, and the resources it shows are in the KB."""
    example = openapi["paths"][openapi_path(route)]["get"]["responses"]["200"]["content"]["application/json"]["example"]
    model = route.response_model
    assert isinstance(model, type) and issubclass(model, BaseModel)
    # FastAPI leaves the null members out of the examples it publishes (its OpenAPI has no nulls)
    assert model.model_validate(example).model_dump(mode="json", by_alias=True, exclude_none=True) == example
    shown = example["items"][0] if "items" in example else example
    if route.path.count("/") > 2:  # a profile's list (/actors/{actor}/offices): its items are of other kinds
        assert ask(client, f"ASK {{ <{shown['id']}> ?p ?o }}")
    else:
        resource = route.path.split("/")[1]
        assert client.get(f"/{resource}/{shown['id'].removeprefix('https://w3id.org/stancekb/id/')}").status_code == 200


def test_parameter_examples_are_answered(client: TestClient, openapi: dict[str, Any]) -> None:
    """Every example value of an identifier parameter names a resource the KB holds."""
    for route in REST_ROUTES:
        for parameter in openapi["paths"][openapi_path(route)]["get"]["parameters"]:
            for example in parameter.get("examples", parameter.get("schema", {}).get("examples", [])):
                url = openapi_path(route).replace(f"{{{parameter['name']}}}", example)
                params = {} if parameter["in"] == "path" else {parameter["name"]: example}
                if "{" not in url:
                    assert client.get(url, params=params).status_code == 200, (url, params)


@pytest.mark.parametrize("route", REST_ROUTES, ids=openapi_path)
def test_answers_are_their_documented_model(client: TestClient, openapi: dict[str, Any], route: APIRoute) -> None:
    """A real answer (at the example path) validates against the endpoint's response model, losing nothing."""
    url = openapi_path(route)
    for parameter in openapi["paths"][url]["get"]["parameters"]:
        if parameter["in"] == "path":
            url = url.replace(f"{{{parameter['name']}}}", parameter["schema"]["examples"][0])
    body = client.get(url, params={"limit": 100} if "{" not in route.path else None).json()
    model = route.response_model
    assert isinstance(model, type) and issubclass(model, BaseModel)
    assert model.model_validate(body).model_dump(mode="json", by_alias=True) == body


EXAMPLED = [
    model
    for model in vars(models).values()
    if isinstance(model, type)
    and issubclass(model, BaseModel)
    and model.__module__ == models.__name__
    and model.model_config.get("json_schema_extra")
]


@pytest.mark.parametrize("model", EXAMPLED, ids=lambda model: model.__name__)
def test_model_examples_are_valid(model: type[BaseModel]) -> None:
    extra = model.model_config["json_schema_extra"]
    assert isinstance(extra, dict)
    for example in extra["examples"]:
        assert model.model_validate(example).model_dump(mode="json", by_alias=True) == example

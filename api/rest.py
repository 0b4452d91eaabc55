"""What the REST routers share: identifiers, the queries and how they run, pages, JSON and JSON-LD answers.

How a REST request is answered:

1. Its parameters are validated: identifiers (``identify``) and the enumerated values by their types; an
   unknown or repeated parameter is refused (``strict_parameters``). Bad input is a 400 problem naming it.
2. One ``Lookup`` runs on the worker pool, like the queries of ``/sparql`` (same store, same timeout): it
   checks that the resources the request names exist (404 otherwise), runs the endpoint's SPARQL query
   (``api/queries/{name}.rq``) with the request's values bound to its variables (never put into its text),
   and describes each item of the requested page with ``api/queries/describe.rq``.
3. In the same worker, the models (``stancekb.api.models``) are read from those triples and dumped as JSON;
   ``respond`` answers it as JSON, or as JSON-LD whose ``@context`` is the server's ``/context.jsonld``
   (``context_document``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Query, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from rdflib import URIRef
from rdflib.term import Node

from stancekb.api.conneg import Format, negotiate
from stancekb.api.models import VOCABULARIES, ActorType, Neighbourhood, ProblemDetails, page_example
from stancekb.api.problems import MEDIA_TYPE as PROBLEM_MEDIA_TYPE
from stancekb.api.problems import Problem
from stancekb.export import CONTEXT_PATH, load_context
from stancekb.namespaces import RESOURCE, SKB
from stancekb.settings import Settings
from stancekb.store import InvalidIri, Store, WorkerPool, valid_iri

JSON = Format("application/json", ("json",))
JSON_LD = Format("application/ld+json", ("jsonld", "json-ld"))
REPRESENTATIONS = (JSON, JSON_LD)
"""The representations of every REST answer: plain JSON (the default) and JSON-LD."""

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_TEXT = 500
"""The longest identifier or search text accepted, in characters."""

IDENTIFIER_HELP = (
    "An identifier: the part of the IRI after https://w3id.org/stancekb/id/ (such as `mark-rutte` or "
    "`rutte-stands-alone-new-nato/nato-official`), or a full IRI starting with http:// or https://."
)


# ---------------------------------------------------------------------------------------------------------
# Identifiers
# ---------------------------------------------------------------------------------------------------------


def identify(value: str, parameter: str) -> URIRef:
    """The IRI an identifier names (``IDENTIFIER_HELP``); a 400 problem naming ``parameter`` if it names none."""
    try:
        if value:
            return valid_iri(value if value.startswith(("http://", "https://")) else str(RESOURCE) + value)
    except InvalidIri:
        pass
    shown = value if len(value) <= 80 else value[:80] + "..."
    raise Problem("bad-request", f"{parameter}: {shown!r} is not an identifier. {IDENTIFIER_HELP}")


# ---------------------------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------------------------


_CONDITION = re.compile(r"#if((?:[ \t]+!?[\w|-]+)+)[ \t]*$")


@dataclass(frozen=True)
class QueryTemplate:
    """A SPARQL file of the REST layer, whose lines ending in ``#if NAME ...`` are kept only if they apply.

    A condition is a list of names, each possibly negated (``#if depender !transitive``); the line is kept when
    every named parameter or flag is given and no negated one is. A name may list alternatives, any of which
    will do (``#if holder|target``). Only whole lines of the file are left out:
    the request's values never enter the text, they are bound to the query's variables.
    """

    text: str

    def render(self, given: Iterable[str]) -> str:
        """The query for a request that gives these parameters and flags."""
        present = set(given)
        return "".join(
            line
            for line in self.text.splitlines(keepends=True)
            if all(
                (name[1:] not in present) if name.startswith("!") else not present.isdisjoint(name.split("|"))
                for name in self.condition(line)
            )
        )

    @staticmethod
    def condition(line: str) -> list[str]:
        """The names a line's ``#if`` marker lists (none if it has no marker)."""
        marker = _CONDITION.search(line)
        return marker.group(1).split() if marker else []


@cache
def query(name: str) -> QueryTemplate:
    """The REST query ``api/queries/{name}.rq`` (package data of ``stancekb.api``)."""
    return QueryTemplate(files("stancekb.api").joinpath("queries", f"{name}.rq").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Select:
    """A query ready to run: its text and the values bound to its variables."""

    sparql: str
    bindings: Mapping[str, Node]

    @classmethod
    def of(cls, name: str, bindings: Mapping[str, Node | None] | None = None, flags: Iterable[str] = ()) -> Select:
        """Query ``name`` for the variables bound (``None``: not given) and the flags set."""
        bound = {variable: value for variable, value in (bindings or {}).items() if value is not None}
        return cls(query(name).render([*bound, *flags]), bound)


@dataclass(frozen=True)
class Kind:
    """A kind of resource: its noun, the query that lists it (``api/queries/{query}.rq``) and its variable there."""

    noun: str
    query: str
    variable: str

    def select(self, bindings: Mapping[str, Node | None] | None = None, flags: Iterable[str] = ()) -> Select:
        """The query of this kind, for the variables bound and the flags set."""
        return Select.of(self.query, bindings, flags)

    def count(self, bindings: Mapping[str, Node | None] | None = None, flags: Iterable[str] = ()) -> Select:
        """The query of how many items ``select`` gives for the same values (its ``count`` flag set)."""
        return Select.of(self.query, bindings, [*flags, "count"])

    def check(self, iri: URIRef, parameter: str) -> Check:
        """A check that ``iri`` is a resource of this kind, for the request part ``parameter``."""
        return Check(parameter, self.noun, iri, self.select({self.variable: iri}))


ACTOR = Kind("actor", "actors", "actor")
STANCE = Kind("stance", "stances", "stance")
MEETING = Kind("meeting", "meetings", "meeting")
DEPENDENCY = Kind("dependency", "dependencies", "dependency")
TOPIC = Kind("topic", "topics", "topic")
SOURCE = Kind("source document", "sources", "source")
ANY = Kind("resource", "resource", "resource")


@dataclass(frozen=True)
class Check:
    """That the resource a request part names exists: its query must have a row."""

    parameter: str
    noun: str
    iri: URIRef
    select: Select


def resolve(named: Mapping[str, tuple[str | None, Kind]]) -> tuple[dict[str, Node | None], tuple[Check, ...]]:
    """For identifier parameters (name -> value given or None, kind): their IRIs and checks that they exist."""
    iris: dict[str, Node | None] = {}
    checks = []
    for parameter, (value, kind) in named.items():
        iri = identify(value, parameter) if value is not None else None
        iris[parameter] = iri
        if iri is not None:
            checks.append(kind.check(iri, parameter))
    return iris, tuple(checks)


@dataclass
class Found:
    """What a lookup found, in the worker: the total, the page's items, the rows, the neighbourhoods' graph.

    ``rows`` are the query's rows for the page's items; ``graph`` also holds the lookup's ``extra`` nodes.
    """

    total: int
    items: list[Node]
    rows: list[dict[str, Node]]
    graph: Neighbourhood


def dump(model: BaseModel) -> dict[str, Any]:
    """A model as the JSON the API answers (keys in camelCase)."""
    return model.model_dump(mode="json", by_alias=True)


@dataclass(frozen=True)
class Each:
    """Read each item of the page with ``read`` (a model's ``from_graph``), as JSON: a lookup's usual shape."""

    read: Callable[[Neighbourhood, Node], BaseModel]

    def __call__(self, found: Found) -> list[dict[str, Any]]:
        """The page's items as JSON."""
        return [dump(self.read(found.graph, item)) for item in found.items]


@dataclass
class Answer:
    """What a ``Lookup`` answers: the check that failed, or the number of items and the shaped JSON."""

    missing: Check | None = None
    total: int = 0
    body: Any = None


@dataclass(frozen=True)
class Lookup:
    """A REST request's work on the store, done in one worker process (``WorkerPool.run``): picklable.

    Runs the checks, then ``select``; its items are the distinct values of the variable ``item`` in order, of
    which the page from ``offset`` (at most ``limit``) is described (``describe.rq``) together with the nodes in
    ``extra``, and shaped into JSON by ``shape``. Shaping in the worker keeps that work off the server's event
    loop and sends back plain JSON rather than RDF terms.

    With ``count`` (the same query with its ``count`` flag: one row whose ``?total`` is the number of items), the
    total is counted by the store and only the page's rows are read (``LIMIT``/``OFFSET``), which ``select``
    must then give one row an item: reading every row costs more than the query at a million triples.
    """

    select: Select
    item: str
    shape: Callable[[Found], Any]
    checks: tuple[Check, ...] = ()
    offset: int = 0
    limit: int | None = None
    extra: tuple[URIRef, ...] = ()
    describe: str = field(default_factory=lambda: query("describe").render(()))
    count: Select | None = None

    def __call__(self, store: Store) -> Answer:
        """Run on a store (in a worker)."""
        for check in self.checks:
            if not store.query(check.select.sparql, check.select.bindings).rows:
                return Answer(missing=check)
        if self.count is None:
            rows = store.query(self.select.sparql, self.select.bindings).rows
            items = list(dict.fromkeys(row[self.item] for row in rows if self.item in row))
            total, page = len(items), items[self.offset : None if self.limit is None else self.offset + self.limit]
        else:
            counted = store.query(self.count.sparql, self.count.bindings).rows
            total = int(str(counted[0]["total"])) if counted else 0  # grouped by what is bound: no group, no row
            window = f"\nOFFSET {self.offset}" + (f" LIMIT {self.limit}" if self.limit is not None else "")
            rows = store.query(self.select.sparql + window, self.select.bindings).rows if total > self.offset else []
            page = list(dict.fromkeys(row[self.item] for row in rows if self.item in row))
        graph = Neighbourhood()
        for node in dict.fromkeys([*self.extra, *page]):
            for row in store.query(self.describe, {"item": node}).rows:
                graph.add((row["s"], row["p"], row["o"]))
        shown = set(page)
        found = Found(total, page, [row for row in rows if row.get(self.item) in shown], graph)
        return Answer(total=found.total, body=self.shape(found))


async def run(pool: WorkerPool, lookup: Callable[[Store], Answer]) -> Answer:
    """Run a lookup on the pool; a 404 problem if a resource the request names does not exist."""
    answer = await pool.run(lookup)
    if answer.missing is not None:
        check = answer.missing
        raise Problem("not-found", f"no {check.noun} {check.iri} in the knowledge base ({check.parameter})")
    return answer


async def fetch(
    pool: WorkerPool, kind: Kind, key: str, read: Callable[[Neighbourhood, Node], BaseModel]
) -> dict[str, Any]:
    """One resource of a kind, by the identifier in the path, as JSON; a 404 problem if there is none."""
    iri = identify(key, "path")
    answer = await run(pool, Lookup(kind.select({kind.variable: iri}), kind.variable, Each(read)))
    if not answer.total:
        raise Problem("not-found", f"no {kind.noun} {iri} in the knowledge base")
    item: dict[str, Any] = answer.body[0]
    return item


# ---------------------------------------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------------------------------------


def _query_parameters(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_parameters(sub)
    return names


def strict_parameters(request: Request) -> None:
    """Refuse parameters the endpoint does not take, and parameters given more than once (400 problems)."""
    route = request.scope.get("route")
    known = _query_parameters(route.dependant) if isinstance(route, APIRoute) else set()
    for name in request.query_params:
        if name not in known:
            raise Problem(
                "bad-request", f"unknown parameter {name[:80]!r}; this endpoint takes: {', '.join(sorted(known))}"
            )
        if len(request.query_params.getlist(name)) > 1:
            raise Problem("bad-request", f"the parameter {name!r} is given more than once; give it once")


def _representation(
    request: Request,
    format_: Annotated[
        str | None,
        Query(
            alias="format",
            description="`json` (the default) or `jsonld`; overrides the Accept header "
            "(`application/json` or `application/ld+json`).",
        ),
    ] = None,
) -> Format:
    return negotiate(REPRESENTATIONS, request.headers.get("accept"), format_)


Representation = Annotated[Format, Depends(_representation)]
"""The representation the request asks for: JSON or JSON-LD (406 problem for anything else)."""


@dataclass(frozen=True)
class Paging:
    """Which page of a list is asked for."""

    limit: int
    offset: int


def _paging(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="The most items on the page.")] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=10**9, description="How many matching items to skip.")] = 0,
) -> Paging:
    return Paging(limit, offset)


PagingDep = Annotated[Paging, Depends(_paging)]


def identifier(description: str, example: str) -> Any:
    """The ``Query`` of an optional identifier parameter (see ``identify``)."""
    return Query(max_length=MAX_TEXT, description=f"{description} {IDENTIFIER_HELP}", examples=[example])


# ---------------------------------------------------------------------------------------------------------
# Answers
# ---------------------------------------------------------------------------------------------------------


def page(answer: Answer, paging: Paging, request: Request, settings: Settings) -> dict[str, Any]:
    """A page of a list (``models.Page``): its items, the total, and links to the pages around it."""

    def link(offset: int) -> str:
        parameters = [(name, value) for name, value in request.query_params.multi_items() if name != "offset"]
        base = settings.base_url.rstrip("/") + request.url.path
        return f"{base}?{urlencode([*parameters, ('offset', str(offset))])}"

    after = paging.offset + paging.limit
    return {
        "total": answer.total,
        "limit": paging.limit,
        "offset": paging.offset,
        "next": link(after) if after < answer.total else None,
        "prev": link(max(0, paging.offset - paging.limit)) if paging.offset > 0 else None,
        "items": answer.body,
    }


def context_url(settings: Settings) -> str:
    """The URL of the JSON-LD context this server publishes."""
    return settings.base_url.rstrip("/") + CONTEXT_PATH


def respond(body: dict[str, Any], representation: Format, settings: Settings) -> Response:
    """Answer JSON, or JSON-LD with the server's context; a page links to its neighbours (RFC 8288)."""
    links = [f'<{body[rel]}>; rel="{rel}"' for rel in ("next", "prev") if body.get(rel)]
    if representation == JSON_LD:
        body = {"@context": context_url(settings), **body}
    else:  # JSON-LD 1.1 §6.1: a JSON document can name its context in a Link header
        links.append(
            f'<{context_url(settings)}>; rel="http://www.w3.org/ns/json-ld#context"; type="{JSON_LD.media_type}"'
        )
    headers = {"Vary": "Accept", **({"Link": ", ".join(links)} if links else {})}
    return JSONResponse(body, media_type=representation.media_type, headers=headers)


@cache
def context_document() -> dict[str, Any]:
    """The JSON-LD context served at ``/context.jsonld``; a term defined twice differently is an error.

    It holds the package's prefixes (``kb/context.jsonld``), the REST layer's terms (``api/rest-context.jsonld``),
    the ontology's classes and individuals by local name, and the short names of the vocabularies' values.
    """
    rest_terms = json.loads(files("stancekb.api").joinpath("rest-context.jsonld").read_text(encoding="utf-8"))
    ontology_names = {name: f"skb:{name}" for name in SKB.__annotations__ if name[:1].isupper()}
    vocabulary = {
        member.value: f"skb:{member.iri.removeprefix(str(SKB._NS))}"
        for vocabulary in VOCABULARIES
        if vocabulary is not ActorType
        for member in vocabulary
    }
    terms: dict[str, Any] = {}
    for part in (load_context()["@context"], rest_terms["@context"], ontology_names, vocabulary):
        for name, definition in part.items():
            if terms.setdefault(name, definition) != definition:
                raise ValueError(f"the JSON-LD term {name!r} is defined twice: {terms[name]!r} and {definition!r}")
    return {"@context": terms}


def responses(
    example: dict[str, Any], not_found: Kind | None = None, parameter: str = "path"
) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI description of an endpoint's answers: examples in JSON and JSON-LD, and its problems.

    ``not_found``: the kind of resource that ``parameter`` names, for an example of the 404 problem.
    """
    context = context_url(Settings.model_construct())
    problem_schema = ProblemDetails.model_json_schema()

    def problem(status: int, slug: str, title: str, detail: str) -> dict[str, Any]:
        example = {
            "type": f"https://w3id.org/stancekb/problem/{slug}",
            "title": title,
            "status": status,
            "detail": detail,
        }
        return {
            "description": f"{title} (RFC 9457 problem details).",
            "content": {PROBLEM_MEDIA_TYPE: {"schema": problem_schema, "example": example}},
        }

    described: dict[int | str, dict[str, Any]] = {
        200: {
            "description": "JSON, or JSON-LD on request (`Accept: application/ld+json` or `format=jsonld`).",
            "content": {
                JSON.media_type: {"example": example},
                JSON_LD.media_type: {"example": {"@context": context, **example}},
            },
        },
        400: problem(400, "bad-request", "Bad request", "polarity: Input should be 'favour', 'against', ..."),
        406: problem(406, "not-acceptable", "Not acceptable", "cannot produce Accept: text/turtle; available: ..."),
        # every error is a problem; naming the class also keeps FastAPI from listing a 422 this API never sends
        "4XX": problem(
            400, "bad-request", "Bad request", "the parameter 'limit' is given more than once; give it once"
        ),
        503: problem(503, "query-timeout", "Query timed out", "stopped after 30 s, the most this server allows"),
    }
    if not_found:
        detail = f"no {not_found.noun} {RESOURCE}unknown in the knowledge base ({parameter})"
        described[404] = problem(404, "not-found", "Not found", detail)
    return described


def list_responses(
    item_example: dict[str, Any], not_found: Kind | None = None, parameter: str = "path"
) -> dict[int | str, dict[str, Any]]:
    """``responses`` for a list endpoint whose items look like ``item_example``."""
    return responses(page_example(item_example), not_found, parameter)


DEPENDENCIES: Sequence[Any] = [Depends(strict_parameters)]
"""The dependencies of every REST router."""

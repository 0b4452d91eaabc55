"""A store on a remote SPARQL 1.1 endpoint (Virtuoso, Fuseki, GraphDB, Neptune, QLever...), through httpx.

Location: ``sparql:`` and the query endpoint's URL, options as its query parameters::

    sparql:http://127.0.0.1:8890/sparql
    sparql:http://127.0.0.1:8890/sparql?graph-store=http://127.0.0.1:8890/sparql-graph-crud
    sparql:http://dba:secret@127.0.0.1:8890/sparql-auth?auth=digest&timeout=120

- ``update=URL``        the SPARQL Update endpoint (default: the query endpoint);
- ``graph-store=URL``   a Graph Store HTTP Protocol endpoint, used to read one graph as N-Triples (default:
  none, a query reads it);
- ``auth=basic|digest|bearer`` how the URL's ``user:password@`` is sent, to every endpoint (default:
  basic; bearer sends the password as the token);
- ``timeout=SECONDS``   the most one request may take (default: 60);
- ``dialect=NAME``      a key of ``DIALECTS`` (default: read from the server's ``Server`` header);
- ``hide-graph=IRI``    (repeatable) a graph of the server's own to leave out, besides the dialect's;
- ``default-graph=IRI`` the server's graph that holds the store's default graph (default:
  ``urn:x-stancekb:default-graph``): Virtuoso has no default graph of its own to write to.

It behaves as the other backends do:

- Reads: queries are sent over the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/) and
  their results read as SPARQL XML or N-Triples. Unless the query has ``FROM`` of its own, the dataset is
  made explicit (``default-graph-uri`` and ``named-graph-uri`` for each of the store's graphs, listed at
  most once a second), so the default graph is the union of the named graphs on every server, whatever
  the server's own default graph is (Virtuoso's is the union of all graphs, its system graphs included).
  Bindings are ``BIND(term AS ?name)`` placed first in the query's WHERE group (terms written by Oxigraph,
  so no caller's text enters the query); a trailing VALUES would do, but Virtuoso 7 refuses one for a
  variable it does not project.
- Writes: every write is made, or switched in, by one update request
  (https://www.w3.org/TR/sparql11-update/), which the server runs as one transaction where it can. Data
  is written as ``INSERT { ... } WHERE {}``, not INSERT DATA, when it has blank nodes, because Virtuoso 7
  refuses blank nodes in INSERT DATA; so blank nodes are scoped to the request, as
  ``OxigraphStore.replace_graphs`` scopes them. A write too large for one request (Virtuoso 7 parses a
  request whole and gives up past a few thousand triples) is staged in hidden graphs (by Graph Store
  POSTs of N-Triples if ``graph-store`` is given, by chunks of updates otherwise), then moved in by one
  last request (see ``RemoteStore._write``); that request names every graph written, and Virtuoso 7 refuses
  one of 1,000 graphs ("SQ200: Query too large"), so a KB of that many graphs is loaded in several writes. The
  store's default graph is a graph of the server's
  (``default-graph``), so the raw ``update`` is the one write that reaches the server's own default graph.
- Triple patterns (``match``, ``match_many``: the write gate's reads): a batch of patterns is one SELECT with
  the patterns as a VALUES block, over the store's graphs, a few hundred patterns a request.
- ``scratch_copy`` is an in-memory ``OxigraphStore`` holding a copy of the content: the write gate's trial of a
  SPARQL Update (not of a file load or a Graph Store write, validated against the server: ``cheap_scratch_copy``).
  In a process forked through ``paused`` (a ``WorkerPool`` worker) the first write makes such a copy and
  the process then reads and writes only it: a worker is meant to hold a snapshot, and a trial write in a
  worker must never reach the server. The httpx client is made per process, after a fork.
- Errors: a connection failure, a timeout or a 4xx/5xx answer is a ``StoreError`` naming the endpoint, in
  one line: ``QueryTimeout``, ``QuerySyntaxError`` for a 400, ``EndpointUnavailable`` (the server answers
  503) for a connection failure or a 5xx.

What a server does to the data is its own: Virtuoso writes literals of XSD types in canonical form
(``"979"^^xsd:gYear`` comes back as ``"0979"``, ``"1000"^^xsd:double`` as ``"1000.0"``) and stores
numerically equal numbers and booleans of one subject and predicate as one value (``1``, ``"01"``,
``1.0e0`` and ``true`` collapse to one), ``"2"^^xsd:decimal`` as an ``xsd:integer``, and evaluates a
boolean expression bound by BIND (``BIND(EXISTS {...} AS ?x)``) to the integer 1 or 0. Its compiler also
refuses some valid queries (a ``BIND`` of a constant after a FILTER in a UNION branch fails with
"sparp_gp_deprecate()"). A killed worker closes its connection; whether the server then stops evaluating
is the server's.
"""

from __future__ import annotations

import itertools
import os
import re
import time
import uuid
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import dataclass, field
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from stancekb.store import (
    OxigraphStore,
    Pattern,
    Quad,
    QueryKind,
    QueryRequest,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    SerializedResult,
    Store,
    StoreError,
    _cap,
    _check_cap,
    _ForkGuard,
    _results_format,
    _serialize_triples,
    _written,
    from_ox,
    mask_sparql,
    refuse_deep_nesting,
    refuse_service,
    sparql_keywords,
    to_ox,
)

T = TypeVar("T")
P = ParamSpec("P")

RESULTS_XML = "application/sparql-results+xml"
N_TRIPLES = "application/n-triples"
NO_GRAPH = URIRef("urn:x-stancekb:no-graph")
"""Named as the only graph of an explicit dataset when the store has none (an empty list would mean "the
server's own dataset")."""
STAGING = "urn:x-stancekb:staging:"
"""The start of the names of the graphs a large write is staged in (never shown as the store's)."""
CHUNK_TRIPLES = 500
"""The most triples one update request writes (Virtuoso 7's parser gives up on several thousand)."""
DEFAULT_GRAPH = "urn:x-stancekb:default-graph"
"""The graph on the server that holds the store's default graph (Virtuoso has no separate default graph)."""
MATCH_CHUNK = 400
"""The most triple patterns one request of ``match_many`` asks about (a VALUES row each)."""
GRAPH_LIST_TTL = 1.0
"""Seconds the list of graphs (the explicit dataset of queries) is reused, unless this object wrote."""


class EndpointUnavailable(StoreError):
    """The endpoint cannot be reached, or failed (a 5xx answer): the server's problem, not the request's."""


@dataclass(frozen=True)
class Dialect:
    """What a kind of server does differently from SPARQL 1.1, and how this store makes up for it."""

    name: str
    system_graphs: frozenset[str] = frozenset()
    """Graphs the server keeps for itself, never the store's."""
    blank_node_reference: Callable[[str], str | None] | None = None
    """How a query names a stored blank node by its label (``None``: it cannot); it gives ``None`` for a label
    the server never gives its blank nodes, which names none of them."""
    fix_results: Callable[[bytes], bytes] = bytes
    """Rewrites the server's SPARQL XML results into conforming ones."""
    ask_variable: str | None = None
    """The one variable of the SELECT-like result the server answers an ASK with (``None``: a boolean)."""


def _virtuoso_results(xml: bytes) -> bytes:
    """Virtuoso's results with blank nodes as their labels (``b10000``, as its N-Triples has them).

    Its SPARQL XML names a blank node ``nodeID://b10000``, which is not a blank node label.
    """
    return xml.replace(b"<bnode>nodeID://", b"<bnode>")


VIRTUOSO_BLANK_NODE = re.compile(r"b[0-9]+")
"""The labels of Virtuoso's blank nodes (``nodeID://b10000``); it answers 500 to ``<nodeID://x>`` for another."""

DIALECTS: dict[str, Dialect] = {
    "sparql11": Dialect("sparql11"),
    "virtuoso": Dialect(
        "virtuoso",
        system_graphs=frozenset(
            {
                "http://www.openlinksw.com/schemas/virtrdf#",  # its quad map, about 2,500 triples
                "http://www.w3.org/ns/ldp#",
                "http://localuriqaserver/sparql",  # its service description
            }
        ),
        blank_node_reference=lambda label: f"<nodeID://{label}>" if VIRTUOSO_BLANK_NODE.fullmatch(label) else None,
        fix_results=_virtuoso_results,
        ask_variable="__ASK_RETVAL",
    ),
}
SERVER_HEADERS: dict[str, str] = {"Virtuoso/": "virtuoso"}
"""The start of a ``Server`` response header, and the dialect it names; any other server is ``sparql11``."""

_OPTIONS = {"update", "graph-store", "auth", "timeout", "dialect", "hide-graph", "default-graph"}


class BearerAuth(httpx.Auth):
    """``Authorization: Bearer TOKEN`` (RFC 6750), as StanceKB's own server wants for writes."""

    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Send the request with the token."""
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


_AUTH: dict[str, Callable[[str, str], httpx.Auth]] = {
    "basic": httpx.BasicAuth,
    "digest": httpx.DigestAuth,
    "bearer": lambda _user, password: BearerAuth(password),
}
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_KINDS: dict[str, QueryKind] = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "graph", "DESCRIBE": "graph"}
_BLOCKS = re.compile(r"[{}]|[A-Za-z]+")
_TAGS = re.compile(r"<[^>]*>|&[a-z]+;")
_NAME = re.compile(r"[A-Za-z0-9_\u00B7\u00C0-\uFFFF]+")


def query_kind(sparql: str) -> QueryKind:
    """The kind of result a query gives, from its form (the first SELECT, ASK, CONSTRUCT or DESCRIBE keyword)."""
    match = _FORM.search(mask_sparql(sparql))
    return _KINDS[match.group(1).upper()] if match else "select"


def with_bindings(sparql: str, binds: Mapping[str, str]) -> str:
    """The query with ``BIND(term AS ?name)`` for each binding, first in its WHERE group (SPARQL 1.1 §18.2.2.5).

    The group is the ``{`` after the top-level ``WHERE`` keyword, or the first top-level ``{`` when WHERE is
    left out (``SELECT * { ... }``, ``ASK { ... }``).
    """
    if not binds:
        return sparql
    for name in binds:
        if not _NAME.fullmatch(name):
            raise StoreError(f"{name!r} is not a SPARQL variable name")
    masked = mask_sparql(sparql)
    depth, after_where, position = 0, False, -1
    for token in _BLOCKS.finditer(masked):
        text = token.group().upper()
        if text == "{":
            if depth == 0 and (after_where or "WHERE" not in _top_level_words(masked)):
                position = token.start()
                break
            depth += 1
        elif text == "}":
            depth -= 1
        elif depth == 0 and text == "WHERE":
            after_where = True
    if position < 0:
        raise StoreError("cannot bind variables of a query that has no WHERE group")
    clauses = " ".join(f"BIND({term} AS ?{name})" for name, term in binds.items())
    return f"{sparql[: position + 1]} {clauses} {sparql[position + 1 :]}"


def _top_level_words(masked: str) -> set[str]:
    depth, words = 0, set()
    for token in _BLOCKS.finditer(masked):
        text = token.group()
        depth += {"{": 1, "}": -1}.get(text, 0)
        if depth == 0 and text not in "{}":
            words.add(text.upper())
    return words


@dataclass(frozen=True)
class Endpoints:
    """Where and how to reach the server, read from a ``sparql:`` location (see the module's docstring)."""

    query: str
    update: str
    graph_store: str | None = None
    auth: httpx.Auth | None = None
    timeout: float = 60.0
    dialect: str | None = None
    hidden: frozenset[str] = frozenset()
    default_graph: str = DEFAULT_GRAPH
    shown: str = field(default="", compare=False)
    """The location with its password left out, to show."""

    @classmethod
    def parse(cls, location: str) -> Endpoints:
        """Read a location; ``StoreError`` names what is wrong with it."""
        url = location.removeprefix("sparql:")
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise StoreError(f"the store location {location!r} must be sparql: followed by an http(s) URL")
        options = parse_qs(parts.query, keep_blank_values=True)
        if unknown := sorted(set(options) - _OPTIONS):
            raise StoreError(
                f"unknown option {unknown[0]!r} in the store location; known: {', '.join(sorted(_OPTIONS))}"
            )
        one = {name: values[-1] for name, values in options.items()}
        netloc = parts.hostname + (f":{parts.port}" if parts.port else "")
        query = urlunsplit((parts.scheme, netloc, parts.path, "", ""))
        auth = None
        if parts.username is not None:
            scheme = one.get("auth", "basic")
            if scheme not in _AUTH:
                raise StoreError(f"auth={scheme!r} in the store location: it must be one of {', '.join(_AUTH)}")
            auth = _AUTH[scheme](parts.username, parts.password or "")
        dialect = one.get("dialect")
        if dialect is not None and dialect not in DIALECTS:
            raise StoreError(f"dialect={dialect!r} in the store location: it must be one of {', '.join(DIALECTS)}")
        try:
            timeout = float(one.get("timeout", "60"))
        except ValueError:
            raise StoreError(f"timeout={one['timeout']!r} in the store location is not a number of seconds") from None
        user = f"{parts.username}:***@" if parts.username is not None else ""
        return cls(
            query=query,
            update=one.get("update", query),
            graph_store=one.get("graph-store"),
            auth=auth,
            timeout=timeout,
            dialect=dialect,
            hidden=frozenset(options.get("hide-graph", [])),
            default_graph=one.get("default-graph", DEFAULT_GRAPH),
            shown=f"sparql:{parts.scheme}://{user}{netloc}{parts.path}" + (f"?{parts.query}" if parts.query else ""),
        )


def _snapshot_aware(
    write: bool,
) -> Callable[[Callable[Concatenate[RemoteStore, P], T]], Callable[Concatenate[RemoteStore, P], T]]:
    """Send a method to the process's snapshot when it has one (or, for a write in a worker, make one first)."""

    def decorate(method: Callable[Concatenate[RemoteStore, P], T]) -> Callable[Concatenate[RemoteStore, P], T]:
        @wraps(method)
        def dispatch(self: RemoteStore, *args: P.args, **kwargs: P.kwargs) -> T:
            local = self._snapshot_for(write)
            if local is not None:
                result: T = getattr(local, method.__name__)(*args, **kwargs)
                return result
            return method(self, *args, **kwargs)

        return dispatch

    return decorate


_INHERITED_CLIENTS: list[httpx.Client] = []
"""Clients a forked worker inherited from its parent, kept alive so that their sockets are never closed."""


class RemoteStore(Store):
    """A remote SPARQL 1.1 endpoint as a ``Store`` (see the module's docstring for the location and semantics)."""

    cheap_scratch_copy = False

    def __init__(self, location: str) -> None:
        self.endpoints = Endpoints.parse(location)
        self.location = self.endpoints.shown
        self.default_graph = URIRef(self.endpoints.default_graph)
        self._guard = _ForkGuard()
        self._client: httpx.Client | None = None
        self._client_pid = 0
        self._detected: Dialect | None = None
        self._graph_list: tuple[float, int, list[URIRef]] | None = None
        self._forking_pid: int | None = None
        self._snapshot: OxigraphStore | None = None

    # --- HTTP -------------------------------------------------------------------------------------------

    def _http(self) -> httpx.Client:
        """The client of this process (a forked worker makes its own: it closed the sockets it inherited)."""
        if self._client is None or self._client_pid != os.getpid():
            if self._client is not None:
                # The parent's client: its sockets' descriptors were closed at the fork and may have been reused
                # by this process since, so it must never be closed or collected here (that would close a
                # descriptor of this process's own connections: EBADF on a later request).
                _INHERITED_CLIENTS.append(self._client)
            self._client = httpx.Client(
                auth=self.endpoints.auth, timeout=self.endpoints.timeout, headers={"User-Agent": "stancekb"}
            )
            self._client_pid = os.getpid()
        return self._client

    def _send(
        self,
        method: str,
        url: str,
        *,
        accept: str | None = None,
        form: list[tuple[str, str]] | None = None,
        content: bytes | None = None,
        media_type: str | None = None,
    ) -> httpx.Response:
        """One request (a form, or ``content`` of ``media_type``); any failure is a one-line ``StoreError``."""
        headers = {"Accept": accept} if accept else {}
        if form is not None:  # encoded here: httpx takes a dict, and the dataset parameters repeat
            media_type, content = "application/x-www-form-urlencoded", urlencode(form).encode()
        if media_type is not None:
            headers["Content-Type"] = media_type
        try:
            with self._guard.shared():
                response = self._http().request(method, url, headers=headers, content=content)
        except httpx.TimeoutException:
            raise QueryTimeout(
                f"the SPARQL endpoint {url} did not answer within {self.endpoints.timeout:g} s"
            ) from None
        except httpx.HTTPError as error:
            raise EndpointUnavailable(
                f"cannot reach the SPARQL endpoint {url}: {error or type(error).__name__}"
            ) from None
        if self._detected is None:
            server = response.headers.get("server", "")
            name = next((d for prefix, d in SERVER_HEADERS.items() if server.startswith(prefix)), "sparql11")
            self._detected = DIALECTS[name]
        if response.status_code >= 400 and response.status_code != 404:
            raise _answer_error(url, response)
        return response

    @property
    def dialect(self) -> Dialect:
        """The server's dialect: the location's, or the one its ``Server`` header names (asked once)."""
        if self.endpoints.dialect is not None:
            return DIALECTS[self.endpoints.dialect]
        if self._detected is None:
            self._send("POST", self.endpoints.query, accept=RESULTS_XML, form=[("query", "ASK {}")])
        assert self._detected is not None
        return self._detected

    @property
    def _hidden(self) -> frozenset[str]:
        return self.dialect.system_graphs | self.endpoints.hidden

    def _query(self, sparql: str, kind: QueryKind, dataset: list[tuple[str, str]]) -> httpx.Response:
        response = self._send(
            "POST",
            self.endpoints.query,
            accept=N_TRIPLES if kind == "graph" else RESULTS_XML,
            form=[("query", sparql), *dataset],
        )
        if response.status_code == 404:
            raise _answer_error(self.endpoints.query, response)
        return response

    def _results(self, response: httpx.Response, kind: QueryKind) -> tuple[bytes, ox.QuerySolutions | ox.QueryBoolean]:
        """The (fixed) SPARQL XML body and its parse; an ASK answered as a one-variable SELECT becomes a boolean."""
        fmt = _results_format(_media_type(response))
        body = self.dialect.fix_results(response.content) if fmt == ox.QueryResultsFormat.XML else response.content
        parsed = _parse_results(body, fmt, self.endpoints.query)
        ask = self.dialect.ask_variable
        if kind == "ask" and isinstance(parsed, ox.QuerySolutions) and ask is not None:
            answer = any(str(getattr(s[ask], "value", "")) in {"1", "true"} for s in parsed)
            boolean = b'{"head": {}, "boolean": %s}' % (b"true" if answer else b"false")
            body, parsed = boolean, ox.parse_query_results(boolean, ox.QueryResultsFormat.JSON)
        return body, parsed

    def _triples(self, response: httpx.Response, url: str) -> list[ox.Triple]:
        media_type = _media_type(response)
        fmt = ox.RdfFormat.from_media_type(media_type)
        if fmt is None:
            raise StoreError(f"the SPARQL endpoint {url} answered with {media_type!r}, not an RDF format")
        try:
            return [quad.triple for quad in ox.parse(response.content, fmt)]
        except SyntaxError as error:
            raise StoreError(f"the SPARQL endpoint {url} sent {fmt.name} that does not parse: {error}") from None

    def _select(self, sparql: str) -> list[ox.QuerySolution]:
        """Rows of a query of the store's own (no dataset given: it names its graphs itself)."""
        _, parsed = self._results(self._query(sparql, "select", []), "select")
        assert isinstance(parsed, ox.QuerySolutions)
        return list(parsed)

    def _update(self, sparql: str) -> None:
        response = self._send("POST", self.endpoints.update, form=[("update", sparql)])
        if response.status_code == 404:
            raise _answer_error(self.endpoints.update, response)
        self._graph_list = None
        self._changed()

    # --- the dataset of a query -------------------------------------------------------------------------

    def _graphs(self) -> list[URIRef]:
        """The store's graphs, reused for ``GRAPH_LIST_TTL`` seconds unless this object wrote meanwhile."""
        now = time.monotonic()
        cached = self._graph_list
        if cached is None or cached[1] != self.version or now - cached[0] > GRAPH_LIST_TTL:
            cached = (now, self.version, self._named_graphs())
            self._graph_list = cached
        return cached[2]

    def _dataset(
        self, sparql: str, default_graphs: Sequence[URIRef] | None, named_graphs: Sequence[URIRef] | None
    ) -> list[tuple[str, str]]:
        """The protocol's dataset parameters: the given graphs, the store's graphs for those not given.

        None when the query has its own FROM and no graphs are given, as for ``OxigraphStore``.
        """
        if default_graphs is None and named_graphs is None and "FROM" in sparql_keywords(sparql):
            return []
        default = [*self._graphs(), self.default_graph] if default_graphs is None else default_graphs
        named = self._graphs() if named_graphs is None else named_graphs
        return [
            *(("default-graph-uri", str(self._on_server(iri))) for iri in default or [NO_GRAPH]),
            *(("named-graph-uri", str(self._on_server(iri))) for iri in named or [NO_GRAPH]),
        ]

    def _on_server(self, graph: Node) -> URIRef:
        """The server's name of a graph of the store: the default graph is ``default_graph``."""
        if graph == DATASET_DEFAULT_GRAPH_ID:
            return self.default_graph
        if not isinstance(graph, URIRef):
            raise StoreError(f"{graph!r} cannot name a graph: it is not an IRI")
        return graph

    def _from_server(self, graph: Node) -> URIRef:
        return DATASET_DEFAULT_GRAPH_ID if graph == self.default_graph else graph  # type: ignore[return-value]

    def _term(self, term: Node) -> str:
        """A term as query text (Oxigraph writes it); a blank node as the dialect names stored ones."""
        text = self._stored_term(term)
        if text is None:
            raise StoreError(f"the SPARQL endpoint {self.endpoints.query} holds no blank node labelled {term.n3()}")
        return text

    def _stored_term(self, term: Node) -> str | None:
        """A term as query text, or ``None`` for a blank node the server cannot hold (a label not of its kind)."""
        if isinstance(term, BNode):
            reference = self.dialect.blank_node_reference
            if reference is None:
                raise StoreError(f"the SPARQL endpoint {self.endpoints.query} cannot be asked about a blank node")
            return reference(str(term))
        return str(to_ox(term))

    def _graph_filter(self, named_only: bool = False) -> str:
        """A FILTER on ``?g`` that leaves out the server's graphs, writes being staged (and the default graph)."""
        graphs = sorted(self._hidden | ({str(self.default_graph)} if named_only else set()))
        hidden = "".join(f" && ?g != <{iri}>" for iri in graphs)
        return f'FILTER(!STRSTARTS(STR(?g), "{STAGING}"){hidden})'

    # --- the Store interface ----------------------------------------------------------------------------

    @_snapshot_aware(write=True)
    def add_quads(self, quads: Iterable[Quad]) -> None:
        """Add quads with one update request (staged if large, see ``_write``)."""
        self._write([], [(s, p, o, self._on_server(g)) for s, p, o, g in quads])

    @_snapshot_aware(write=True)
    def replace_graphs(self, graphs: Mapping[URIRef, Graph]) -> None:
        """Drop each graph and insert its new content, in one update request (staged if large, see ``_write``)."""
        self._write(
            [self._on_server(iri) for iri in graphs],
            [(s, p, o, self._on_server(iri)) for iri, graph in graphs.items() for s, p, o in graph],
        )

    def _write(self, drops: list[URIRef], quads: list[Quad]) -> None:
        """Drop the graphs of ``drops``, then insert the quads: in one update request if they fit in one.

        A server parses a request whole (Virtuoso 7 runs out of parser memory past about 5,000 triples), so
        a larger write is staged: its chunks go into staging graphs, one request each (a failure drops them
        and leaves the store as it was), and one last request drops the replaced graphs and moves the
        staging graphs in (SPARQL 1.1 Update's MOVE and ADD), so that the switch is still one transaction.
        """
        chunks = _chunks(quads)
        parts = [f"DROP SILENT GRAPH {to_ox(iri)}" for iri in drops]
        if len(chunks) <= 1:
            parts += [_insert(chunk, {}) for chunk in chunks]
            if parts:
                self._update(" ;\n".join(parts))
            return
        by_graph: dict[URIRef, list[Quad]] = {}
        for quad in quads:
            by_graph.setdefault(quad[3], []).append(quad)
        staging = {g: URIRef(f"{STAGING}{uuid.uuid4()}") for g in sorted(by_graph)}
        try:
            if self.endpoints.graph_store is not None:
                for g, staged in staging.items():
                    self._post_graph(staged, by_graph[g])  # grouped once: a 1M-triple load has 1,000 graphs
            else:
                for chunk in chunks:
                    self._update(_insert(chunk, staging))
            moves = [
                f"{'ADD' if g not in drops else 'MOVE'} SILENT {to_ox(staged)} TO {to_ox(g)}"
                for g, staged in staging.items()
            ]
            self._update(" ;\n".join([*parts, *moves, *(f"DROP SILENT GRAPH {to_ox(s)}" for s in staging.values())]))
        except StoreError:
            with suppress(StoreError):  # the error that stopped the write is the one to report
                self._update(" ;\n".join(f"DROP SILENT GRAPH {to_ox(s)}" for s in staging.values()))
            raise

    def _post_graph(self, graph: URIRef, quads: list[Quad]) -> None:
        """Add triples to a graph with one Graph Store Protocol POST of N-Triples (no size limit but the server's)."""
        assert self.endpoints.graph_store is not None
        triples = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o, _ in quads]  # type: ignore[arg-type]
        url = str(httpx.URL(self.endpoints.graph_store, params={"graph": str(graph)}))
        body = _written(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
        response = self._send("POST", url, content=body, media_type=N_TRIPLES)
        if response.status_code == 404:
            raise _answer_error(self.endpoints.graph_store, response)
        self._graph_list = None

    @_snapshot_aware(write=True)
    def remove_graph(self, graph_iri: URIRef) -> None:
        """Drop a named graph."""
        self._write([self._on_server(graph_iri)], [])

    @_snapshot_aware(write=False)
    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None = None,
        default_graphs: Sequence[URIRef] | None = None,
        named_graphs: Sequence[URIRef] | None = None,
    ) -> QueryResult:
        """Send the query (bindings as BIND clauses) and read its result into rdflib terms."""
        self.check_query(sparql)
        text = with_bindings(sparql, {name: self._term(value) for name, value in (bindings or {}).items()})
        kind = query_kind(sparql)
        response = self._query(text, kind, self._dataset(sparql, default_graphs, named_graphs))
        if kind == "graph":
            graph = Graph()
            for triple in self._triples(response, self.endpoints.query):
                graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
            return QueryResult(kind="graph", graph=graph)
        _, parsed = self._results(response, kind)
        if isinstance(parsed, ox.QueryBoolean):
            return QueryResult(kind="ask", boolean=bool(parsed))
        variables = [v.value for v in parsed.variables]
        rows = [
            {name: from_ox(value) for name in variables if (value := solution[name]) is not None} for solution in parsed
        ]
        return QueryResult(kind="select", variables=variables, rows=rows)

    @_snapshot_aware(write=False)
    def run_query(self, request: QueryRequest) -> SerializedResult:
        """Send the query and answer in the requested format, the server's bytes passed on where they conform.

        The server's SPARQL XML (once fixed by the dialect) and N-Triples are passed on as they are; any
        other format is written by Oxigraph from them, since servers' other writers lose types (Virtuoso's
        Turtle writes ``1.0e0`` as ``1.0``, a decimal, and its TSV a boolean as ``1``).
        """
        refuse_deep_nesting(request.sparql)
        if not request.allow_service:
            refuse_service(request.sparql)
        kind = query_kind(request.sparql)
        media_type = request.media_type(kind)
        text = request.sparql if request.base_iri is None else f"BASE <{request.base_iri}>\n{request.sparql}"
        dataset = self._dataset(request.sparql, request.default_graphs, request.named_graphs)
        response = self._query(text, kind, dataset)
        if kind == "graph":
            triples = self._triples(response, self.endpoints.query)
            _check_cap(len(triples), request)
            if media_type == N_TRIPLES and _media_type(response) == N_TRIPLES:
                return SerializedResult("graph", media_type, response.content)
            return SerializedResult("graph", media_type, _serialize_triples(triples, media_type))
        body, parsed = self._results(response, kind)
        if isinstance(parsed, ox.QueryBoolean):
            kind = "ask"
            media_type = request.media_type(kind)
        else:
            _check_cap(sum(1 for _ in itertools.islice(parsed, _cap(request))), request)
        fmt = _results_format(media_type)
        if fmt == ox.QueryResultsFormat.XML and _media_type(response) == RESULTS_XML and kind != "ask":
            return SerializedResult(kind, media_type, body)
        source = ox.QueryResultsFormat.JSON if kind == "ask" else _results_format(_media_type(response))
        reparsed = _parse_results(body, source, self.endpoints.query)
        return SerializedResult(kind, media_type, _written(reparsed.serialize(format=fmt)))

    @_snapshot_aware(write=True)
    def update(self, sparql: str, base_iri: str | None = None) -> None:
        """Send a SPARQL 1.1 update (one request)."""
        self.check_update(sparql)
        self._update(sparql if base_iri is None else f"BASE <{base_iri}>\n{sparql}")

    @_snapshot_aware(write=False)
    def named_graphs(self) -> list[URIRef]:
        """The graphs that hold triples, the server's own left out, sorted."""
        return self._named_graphs()

    def _named_graphs(self) -> list[URIRef]:
        rows = self._select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._graph_filter(True)} }}")
        return sorted(URIRef(row["g"].value) for row in rows if isinstance(row["g"], ox.NamedNode))

    @_snapshot_aware(write=False)
    def quads(self, graph_iri: URIRef | None = None) -> Iterator[Quad]:
        """All quads (the server's graphs left out), or one graph's: by the Graph Store Protocol if configured."""
        if graph_iri is not None and self.endpoints.graph_store is not None:
            url = str(httpx.URL(self.endpoints.graph_store, params={"graph": str(self._on_server(graph_iri))}))
            response = self._send("GET", url, accept=N_TRIPLES)
            if response.status_code == 404:
                return iter(())
            triples = self._triples(response, self.endpoints.graph_store)
            return iter([(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object), graph_iri) for t in triples])
        where = (
            f"GRAPH {to_ox(self._on_server(graph_iri))} {{ ?s ?p ?o }}"
            if graph_iri is not None
            else f"GRAPH ?g {{ ?s ?p ?o }} {self._graph_filter()}"
        )
        rows = self._select(f"SELECT ?s ?p ?o ?g WHERE {{ {where} }}")
        return iter(
            [
                (from_ox(r["s"]), from_ox(r["p"]), from_ox(r["o"]), graph_iri or self._from_server(from_ox(r["g"])))
                for r in rows
            ]
        )

    def match(self, subject: Node | None, predicate: Node | None, obj: Node | None) -> Iterator[Quad]:
        """The quads of the store's graphs that match a pattern: one request (``match_many`` batches them)."""
        pattern = (subject, predicate, obj)
        return iter(self.match_many([pattern])[pattern])

    @_snapshot_aware(write=False)
    def match_many(self, patterns: Iterable[Pattern]) -> dict[Pattern, list[Quad]]:
        """The quads each pattern matches: one SELECT per ``MATCH_CHUNK`` patterns that bind the same positions.

        The patterns are a VALUES block numbered by ``?i``, so each solution is filed under the pattern asked,
        even where the server matched another form of a literal (Virtuoso's canonical ``"0979"^^xsd:gYear``
        for ``"979"``); the terms in the quads are the server's. Blank nodes are named as the dialect names
        stored ones, so a blank node found in one answer can be asked about in the next (see ``_values_blocks``
        for those it cannot name).
        """
        found: dict[Pattern, list[Quad]] = {pattern: [] for pattern in dict.fromkeys(patterns)}
        for chunk, where in self._values_blocks(found):
            for row in self._select(f"SELECT ?i ?s ?p ?o ?g WHERE {{ {where} }}"):
                s, p, o, g = (from_ox(row[name]) for name in "spog")
                found[chunk[int(row["i"].value)]].append((s, p, o, self._from_server(g)))
        return found

    @_snapshot_aware(write=False)
    def match_incoming(self, nodes: Iterable[Node], at_most: int) -> dict[Node, list[Quad] | None]:
        """Each node's incoming quads, or ``None`` past ``at_most``: counted by one SELECT, then ``match_many``."""
        patterns: list[Pattern] = [(None, None, node) for node in dict.fromkeys(nodes)]
        counts: dict[Pattern, int] = dict.fromkeys(patterns, 0)
        for chunk, where in self._values_blocks(patterns):
            for row in self._select(f"SELECT ?i (COUNT(*) AS ?n) WHERE {{ {where} }} GROUP BY ?i"):
                counts[chunk[int(row["i"].value)]] = int(row["n"].value)
        found = self.match_many(pattern for pattern in patterns if counts[pattern] < at_most)
        return {pattern[2]: found.get(pattern) for pattern in patterns}  # type: ignore[misc]

    def _values_blocks(self, patterns: Iterable[Pattern]) -> Iterator[tuple[list[Pattern], str]]:
        """WHERE groups for ``MATCH_CHUNK`` patterns binding the same positions: VALUES (``?i`` numbers them), GRAPH.

        The graphs are the store's. A language-tagged object is matched by its text and tag (Virtuoso 7 matches
        none in a VALUES block of several rows). A pattern with a blank node the server cannot hold is left out (it
        matches nothing); on a server whose blank nodes cannot be named at all, one with a blank node raises
        ``NotImplementedError`` (the write gate then validates the whole store).
        """
        by_shape: dict[tuple[str, ...], list[tuple[Pattern, list[str]]]] = {}
        for pattern in patterns:
            try:
                terms = [self._stored_term(term) for term in pattern if term is not None]
            except StoreError as error:
                raise NotImplementedError(str(error)) from None
            if None in terms:
                continue
            names = [name for name, term in zip("spo", pattern, strict=True) if term is not None]
            obj = pattern[2]
            if isinstance(obj, Literal) and obj.language:
                names[-1:], terms[-1:] = ["text", "lang"], [str(ox.Literal(str(obj))), str(ox.Literal(obj.language))]
            by_shape.setdefault(tuple(names), []).append((pattern, terms))  # type: ignore[arg-type]
        tagged = "FILTER(isLITERAL(?o) && STR(?o) = ?text && LCASE(LANG(?o)) = LCASE(?lang))"
        for shape, asked in by_shape.items():
            for start in range(0, len(asked), MATCH_CHUNK):
                chunk = asked[start : start + MATCH_CHUNK]
                rows = " ".join(f"({index} {' '.join(terms)})" for index, (_, terms) in enumerate(chunk))
                variables = " ".join(f"?{name}" for name in shape)
                where = f"VALUES (?i {variables}) {{ {rows} }} GRAPH ?g {{ ?s ?p ?o }} {self._graph_filter()}"
                yield [pattern for pattern, _ in chunk], where + (f" {tagged}" if "lang" in shape else "")

    @_snapshot_aware(write=False)
    def __len__(self) -> int:
        """Count the quads of the store's graphs."""
        [row] = self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._graph_filter()} }}")
        return int(row["n"].value)

    def scratch_copy(self) -> OxigraphStore:
        """An in-memory Oxigraph copy of the content (blank nodes keep the server's labels), to try a write on."""
        copy = OxigraphStore()
        copy.add_quads(self.quads())
        return copy

    def close(self) -> None:
        """Close this process's HTTP client."""
        if self._client is not None and self._client_pid == os.getpid():
            self._client.close()
        self._client = None

    def paused(self) -> AbstractContextManager[None]:
        """Wait until no request is in flight, and mark processes forked meanwhile as snapshot holders."""
        return self._pausing()

    @contextmanager
    def _pausing(self) -> Iterator[None]:
        self._forking_pid = os.getpid()
        with self._guard.exclusive():
            yield

    def _snapshot_for(self, write: bool) -> OxigraphStore | None:
        """The snapshot this process reads and writes instead of the server, if it is a worker that wrote."""
        if self._snapshot is None and write and self._forking_pid not in (None, os.getpid()):
            self._snapshot = self.scratch_copy()
        return self._snapshot


def _chunks(quads: list[Quad]) -> list[list[Quad]]:
    """The quads in chunks of at most ``CHUNK_TRIPLES``, the triples that share a blank node in one chunk.

    Blank node labels are scoped to an update operation, so a blank node's triples must be written together.
    """
    parent: dict[Node, Node] = {}

    def root(node: Node) -> Node:
        while parent.get(node, node) != node:
            node = parent[node]
        return node

    for s, _, o, _ in quads:
        if isinstance(s, BNode) and isinstance(o, BNode):
            parent.setdefault(s, s)
            parent.setdefault(o, o)
            parent[root(s)] = root(o)
    groups: dict[object, list[Quad]] = {}
    for index, quad in enumerate(quads):
        blank = next((term for term in (quad[0], quad[2]) if isinstance(term, BNode)), None)
        groups.setdefault(index if blank is None else root(blank), []).append(quad)
    chunks: list[list[Quad]] = []
    for group in groups.values():
        if not chunks or len(chunks[-1]) + len(group) > CHUNK_TRIPLES:
            chunks.append([])
        chunks[-1].extend(group)
    return chunks


def _insert(quads: list[Quad], graphs: Mapping[URIRef, URIRef]) -> str:
    """``INSERT { GRAPH <g> { ... } } WHERE {}`` (INSERT DATA with no blank node), into ``graphs[g]`` if given."""
    by_graph: dict[URIRef, list[str]] = {}
    for s, p, o, g in quads:
        by_graph.setdefault(graphs.get(g, g), []).append(f"{to_ox(s)} {to_ox(p)} {to_ox(o)} .")  # type: ignore[call-overload]
    content = " ".join(f"GRAPH {to_ox(g)} {{ {' '.join(triples)} }}" for g, triples in by_graph.items())
    if any(isinstance(term, BNode) for quad in quads for term in quad):
        return f"INSERT {{ {content} }} WHERE {{}}"
    return f"INSERT DATA {{ {content} }}"


def _media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def _parse_results(body: bytes, fmt: ox.QueryResultsFormat, url: str) -> ox.QuerySolutions | ox.QueryBoolean:
    try:
        return ox.parse_query_results(body, fmt)
    except SyntaxError as error:
        raise StoreError(f"the SPARQL endpoint {url} sent {fmt.name} results that do not parse: {error}") from None


def _answer_error(url: str, response: httpx.Response) -> StoreError:
    """A 4xx/5xx answer as an error: the status and the first line of what the server said."""
    text = _TAGS.sub(" ", response.text) if "html" in _media_type(response) else response.text
    said = next((" ".join(line.split()) for line in text.splitlines() if line.strip()), response.reason_phrase)
    message = f"the SPARQL endpoint {url} answered {response.status_code}: {said[:300]}"
    if response.status_code >= 500:
        return EndpointUnavailable(message)
    return QuerySyntaxError(message) if response.status_code == 400 else StoreError(message)

"""Dereferenceable IRIs on a real server: 303 by content negotiation, 404, 406, the descriptions as RDF (parsed
and compared with the store) and as HTML (escaped, self-contained, linking to the server's own pages, shown
in Chromium), the ontology's IRI and version IRI, and a base URL that moves every link but no IRI."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import httpx
import pytest
from rdflib import OWL, RDF, BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS
from selenium import webdriver
from selenium.webdriver.common.by import By
from server_utils import LiveServer, live_server
from test_query_page import assert_all_local, browser, references, requested_urls  # noqa: F401 - browser: fixture

from stancekb.export import FORMATS
from stancekb.namespaces import GRAPH, ONTOLOGY_IRI, RESOURCE, SCHEMA, SKB
from stancekb.publish import kb_iri, server_path
from stancekb.resources import ontology_graph
from stancekb.store import Store

RSA = "rutte-stands-alone-new-nato/"
STANCE = RESOURCE[RSA + "stance-jeglinskas-whisperer"]
RUTTE = RESOURCE["mark-rutte"]
EVIL_GRAPH = GRAPH["test-escaping"]
EVIL = RESOURCE["test-escaping/evil"]
EVIL_LABEL = "<script>alert(\"x\")</script> & <b>bold</b> 'quoted'"
EVIL_LINK = "https://example.org/x'onclick='alert(1)'&amp;y"
RDFLIB_NAMES = {"ttl": "turtle", "trig": "trig", "nq": "nquads", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

pytest_plugins = ["linked_data_fixtures"]  # kb, server, client


EXTRA_QUADS = [
    (EVIL, RDFS.label, Literal(EVIL_LABEL, lang="en"), EVIL_GRAPH),
    (EVIL, RDF.type, SKB.Person, EVIL_GRAPH),
    (EVIL, SKB.affiliation, URIRef(EVIL_LINK), EVIL_GRAPH),
    (EVIL, RDFS.comment, Literal("line one\n</td></tr></table><img src=x onerror=alert(1)>"), EVIL_GRAPH),
]
"""A resource whose label, link and comment are full of HTML (added to the store by ``linked_data_fixtures.kb``)."""


# ---- the mapping -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("iri", "path"),
    [
        (RUTTE, "/id/mark-rutte"),
        (STANCE, f"/id/{RSA}stance-jeglinskas-whisperer"),
        (GRAPH["reference"], "/graph/reference"),
        (ONTOLOGY_IRI, "/ontology"),
        (URIRef(f"{ONTOLOGY_IRI}/0.1.0"), "/ontology/0.1.0"),
        (SKB.Stance, "/ontology#Stance"),
        (URIRef("https://w3id.org/stancekb/dataset"), "/dataset"),
    ],
)
def test_kb_iris_map_onto_server_paths_and_back(iri: URIRef, path: str) -> None:
    assert server_path(str(iri)) == path
    assert kb_iri(path) == iri


def test_iris_from_elsewhere_map_nowhere() -> None:
    assert server_path("https://schema.org/Person") is None
    assert server_path(f"{ONTOLOGY_IRI}ology") is None  # a longer IRI is not under the ontology's
    assert kb_iri("/sparql") is None


# ---- content negotiation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "extension"),
    [
        ("text/turtle", "ttl"),
        ("application/ld+json", "jsonld"),
        ("application/rdf+xml", "rdf"),
        ("application/n-triples", "nt"),
        ("application/trig", "trig"),
        ("application/n-quads", "nq"),
        ("text/html", "html"),
        (BROWSER, "html"),
        ("*/*", "html"),
        (None, "html"),
        ("text/turtle;q=0.5, application/rdf+xml", "rdf"),
        ("text/html;q=0.1, text/*;q=0.9", "ttl"),
    ],
)
def test_a_resource_iri_answers_303_to_the_negotiated_document(
    client: httpx.Client, server: LiveServer, accept: str | None, extension: str
) -> None:
    response = client.get("/id/mark-rutte", headers={"accept": accept} if accept else {})
    assert response.status_code == 303
    assert response.headers["location"] == f"{server.url}/id/mark-rutte.{extension}"
    assert "accept" in response.headers["vary"].lower()


@pytest.mark.parametrize("path", ["/id/mark-rutte", "/id/mark-rutte.ttl", "/ontology", "/dumps/stancekb.nt"])
def test_head_answers_like_get_without_a_body(client: httpx.Client, path: str) -> None:
    get, head = client.get(path), client.head(path)
    assert (head.status_code, head.headers.get("content-type")) == (get.status_code, get.headers.get("content-type"))
    assert head.content == b""


def test_the_format_parameter_overrides_accept(client: httpx.Client, server: LiveServer) -> None:
    response = client.get("/id/mark-rutte", params={"format": "jsonld"}, headers={"accept": "text/html"})
    assert response.headers["location"] == f"{server.url}/id/mark-rutte.jsonld"


@pytest.mark.parametrize("path", ["/id/nobody", "/id/nobody.ttl", "/id/", f"/id/{RSA}nothing.html", "/graph/none"])
def test_an_unknown_resource_answers_404(client: httpx.Client, path: str) -> None:
    response = client.get(path, headers={"accept": "text/turtle"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "says nothing of <https://w3id.org/stancekb/" in response.json()["detail"]


@pytest.mark.parametrize("accept", ["image/png", "application/pdf, text/csv", "text/html;q=0, */*;q=0"])
def test_an_unsupported_accept_answers_406_naming_what_is_offered(client: httpx.Client, accept: str) -> None:
    response = client.get("/id/mark-rutte", headers={"accept": accept})
    assert response.status_code == 406
    detail = response.json()["detail"]
    assert "text/html" in detail and "text/turtle" in detail


def test_a_path_that_is_no_iri_answers_400(client: httpx.Client) -> None:
    response = client.get("/id/a%20b", headers={"accept": "text/turtle"})
    assert response.status_code == 400
    assert "is not a valid IRI" in response.json()["detail"]


# ---- the descriptions as RDF --------------------------------------------------------------------------------


def described(client: httpx.Client, iri: URIRef, extension: str) -> Graph:
    response = client.get(f"{server_path(str(iri))}.{extension}")
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == next(
        fmt.media_type for fmt in FORMATS.values() if fmt.extension == extension
    )
    graph = Graph()
    if RDFLIB_NAMES[extension] in ("trig", "nquads", "json-ld"):  # formats with named graphs: their union
        dataset = Dataset()
        dataset.parse(data=response.content, format=RDFLIB_NAMES[extension])
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            graph.add((s, p, o))
        return graph
    return graph.parse(data=response.content, format=RDFLIB_NAMES[extension])


@pytest.mark.parametrize("iri", [RUTTE, STANCE, GRAPH[RSA.rstrip("/")]])
def test_the_description_holds_the_resources_triples_and_incoming_links(
    client: httpx.Client, kb: Store, iri: URIRef
) -> None:
    graph = described(client, iri, "ttl")
    quads = list(kb.quads())
    own = {(s, p, o) for s, p, o, _ in quads if s == iri}
    incoming = {(s, p, o) for s, p, o, _ in quads if o == iri}
    assert own, "the test needs a resource with triples"
    named = {(s, p, o) for s, p, o in own | incoming if not isinstance(o, BNode)}
    assert named <= set(graph)
    for _, p, _ in own - named:  # a blank node: the same in the description, with its own triples
        [blank] = graph.objects(iri, p)
        assert isinstance(blank, BNode) and len(list(graph.predicate_objects(blank))) >= 1
    neighbours = {o for _, _, o in own if isinstance(o, URIRef)} | {s for s, _, _ in incoming}
    labels = {(s, p, o) for s, p, o, _ in quads if s in neighbours and p == RDFS.label}
    assert labels <= set(graph), "the labels of the neighbours"


def test_a_stances_description_has_the_quotes_exact_words_and_their_source(client: httpx.Client, kb: Store) -> None:
    graph = described(client, STANCE, "ttl")
    quotes = list(graph.objects(STANCE, SKB.supportedBy))
    assert len(quotes) == 2
    texts = {str(graph.value(q, SCHEMA.text)) for q in quotes}
    assert "That\u2019s his key job now." in texts
    exact = {str(o) for o in graph.objects(None, URIRef("http://www.w3.org/ns/oa#exact"))}
    assert texts <= exact, "the quotes are the source's exact words, anchored"
    source = RESOURCE["rutte-stands-alone-new-nato"]
    assert (source, URIRef("http://purl.org/dc/terms/title"), None) in graph


@pytest.mark.parametrize("extension", ["jsonld", "rdf", "nt", "trig", "nq"])
def test_every_format_says_what_the_turtle_says(client: httpx.Client, extension: str) -> None:
    assert isomorphic(described(client, STANCE, extension), described(client, STANCE, "ttl"))


def test_a_document_links_its_alternates(client: httpx.Client, server: LiveServer) -> None:
    links = client.get("/id/mark-rutte.ttl").headers["link"]
    assert f'<{server.url}/id/mark-rutte>; rel="describes"' in links
    assert f'<{server.url}/id/mark-rutte.jsonld>; rel="alternate"; type="application/ld+json"' in links


# ---- the descriptions as HTML --------------------------------------------------------------------------------


class Text(HTMLParser):
    """The text of a page, its tags and the attributes of its links."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs += [value or "" for name, value in attrs if name == "href"]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(html: str) -> Text:
    parser = Text()
    parser.feed(html)
    return parser


def test_html_escapes_what_the_data_says(client: httpx.Client) -> None:
    response = client.get("/id/test-escaping/evil.html")
    assert response.status_code == 200
    page = parsed(response.text)
    assert "script" not in page.tags and "img" not in page.tags and "b" not in page.tags
    text = "".join(page.text)
    assert EVIL_LABEL in text
    assert "</td></tr></table><img src=x onerror=alert(1)>" in text
    assert EVIL_LINK in page.hrefs, "the attribute is quoted and escaped: it reads back as the IRI"


def test_the_stance_page_shows_its_quotes_with_their_source(client: httpx.Client) -> None:
    response = client.get(server_path(str(STANCE)) + ".html")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    text = " ".join(parsed(response.text).text)
    assert "That\u2019s his key job now." in text
    assert "The real challenge for him now is to become that Trump whisperer" in text
    assert "Rutte Stands Alone in the 'New NATO'" in text, "the source document's title"
    assert "Giedrimas Jeglinskas" in text, "who said it"
    assert "Stance of Giedrimas Jeglinskas" in text


def test_html_links_kb_iris_to_this_servers_pages_which_answer(client: httpx.Client, server: LiveServer) -> None:
    page = references(client.get(server_path(str(STANCE)) + ".html").text)
    assert not page.loaded, "a page loads nothing"
    local = sorted({href for href in page.links if href.startswith(f"{server.url}/")})
    assert f"{server.url}/id/giedrimas-jeglinskas" in local
    assert f"{server.url}/ontology#Stance" in local
    assert f"{server.url}/graph/reference" in local
    assert not [href for href in page.links if href.startswith("https://w3id.org/stancekb/")]
    for href in local:
        response = client.get(href.partition("#")[0], headers={"accept": "text/html"}, follow_redirects=True)
        assert response.status_code == 200, href


def test_a_browser_follows_the_iri_to_the_page_and_loads_nothing_else(
    server: LiveServer,
    browser: webdriver.Chrome,  # noqa: F811 - the fixture imported above
) -> None:
    requested_urls(browser)
    browser.get(server.url + server_path(str(STANCE)))
    assert browser.current_url == server.url + server_path(str(STANCE)) + ".html"
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Stance of Giedrimas Jeglinskas on")
    browser.find_element(By.LINK_TEXT, "Giedrimas Jeglinskas").click()
    assert urlsplit(browser.current_url).path == "/id/giedrimas-jeglinskas.html"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Giedrimas Jeglinskas"
    assert_all_local(requested_urls(browser), server)


# ---- the ontology ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/ontology", "/ontology/0.1.0"])
@pytest.mark.parametrize(("accept", "extension"), [("text/turtle", "ttl"), ("application/rdf+xml", "rdf")])
def test_the_ontology_iri_answers_the_owl(
    client: httpx.Client, server: LiveServer, path: str, accept: str, extension: str
) -> None:
    response = client.get(path, headers={"accept": accept})
    assert response.status_code == 200
    assert response.headers["content-location"] == f"{server.url}{path}.{extension}"
    graph = Graph().parse(data=response.content, format=RDFLIB_NAMES[extension])
    assert isomorphic(graph, ontology_graph())
    assert graph.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/0.1.0")


def test_the_ontology_iri_answers_its_documentation_to_a_browser(client: httpx.Client, server: LiveServer) -> None:
    response = client.get("/ontology", headers={"accept": BROWSER})
    assert response.headers["content-location"] == f"{server.url}/ontology.html"
    assert 'id="Stance"' in response.text and "<svg" in response.text
    assert client.get("/ontology.svg").headers["content-type"] == "image/svg+xml"


@pytest.mark.parametrize("path", ["/ontology/0.0.1", "/ontology/9.9.9.ttl", "/ontology.exe"])
def test_a_version_or_file_the_server_does_not_hold_answers_404(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["type"].endswith("/not-found")


def test_the_ontology_refuses_an_unsupported_accept(client: httpx.Client) -> None:
    assert client.get("/ontology", headers={"accept": "image/png"}).status_code == 406


@pytest.mark.parametrize("path", ["/dataset", "/graph/void"])
def test_the_dataset_and_its_description_graph_answer_303_to_the_description(
    client: httpx.Client, server: LiveServer, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == f"{server.url}/.well-known/void"


# ---- a public base URL ---------------------------------------------------------------------------------------


def test_the_base_url_moves_every_link_but_no_iri(kb: Store) -> None:
    public = "https://kb.example.org/stancekb"
    with live_server(kb, base_url=public) as running, running.client() as client:
        response = client.get("/id/mark-rutte", headers={"accept": "text/turtle"})
        assert response.headers["location"] == f"{public}/id/mark-rutte.ttl"
        graph = Graph().parse(data=client.get("/id/mark-rutte.ttl").content, format="turtle")
        assert (RUTTE, RDFS.label, Literal("Mark Rutte", lang="en")) in graph
        links = references(client.get(server_path(str(STANCE)) + ".html").text).links
        assert f"{public}/id/giedrimas-jeglinskas" in links
        assert not [link for link in links if link.startswith(running.url)]

"""Content negotiation, table-tested (api/conneg.py)."""

import pytest

from stancekb.api.conneg import (
    ASK_FORMATS,
    JSON_LD,
    N_TRIPLES,
    RDF_FORMATS,
    RDF_XML,
    SELECT_FORMATS,
    SPARQL_CSV,
    SPARQL_JSON,
    SPARQL_TSV,
    SPARQL_XML,
    TRIG,
    TURTLE,
    NotAcceptable,
    negotiate,
    negotiate_each,
    parse_accept,
)

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"

CASES = [
    # (offered, Accept, format parameter, expected)
    (SELECT_FORMATS, None, None, SPARQL_JSON),
    (SELECT_FORMATS, "", None, SPARQL_JSON),
    (SELECT_FORMATS, "*/*", None, SPARQL_JSON),
    (SELECT_FORMATS, "application/sparql-results+xml", None, SPARQL_XML),
    (SELECT_FORMATS, "application/sparql-results+xml, */*", None, SPARQL_XML),
    (SELECT_FORMATS, "text/csv;q=0.5, text/tab-separated-values", None, SPARQL_TSV),
    (SELECT_FORMATS, "text/csv, text/tab-separated-values;q=0.9", None, SPARQL_CSV),
    (SELECT_FORMATS, "TEXT/CSV", None, SPARQL_CSV),
    (SELECT_FORMATS, "text/*", None, SPARQL_XML),  # XML results answer to text/xml too
    (SELECT_FORMATS, "application/json", None, SPARQL_JSON),
    (SELECT_FORMATS, "application/sparql-results+json,application/json,text/javascript", None, SPARQL_JSON),
    (SELECT_FORMATS, BROWSER, None, SPARQL_XML),
    (SELECT_FORMATS, "application/sparql-results+json;q=0.2, */*;q=0.1", None, SPARQL_JSON),
    (SELECT_FORMATS, "*/*;q=0.1, application/sparql-results+xml;q=0.2", None, SPARQL_XML),
    (SELECT_FORMATS, "application/sparql-results+xml;q=0, */*", None, SPARQL_JSON),
    (SELECT_FORMATS, "application/sparql-results+xml;q=oops, text/csv", None, SPARQL_CSV),
    (SELECT_FORMATS, "garbage, text/tab-separated-values", None, SPARQL_TSV),
    (SELECT_FORMATS, "text/turtle", "csv", SPARQL_CSV),
    (SELECT_FORMATS, None, "XML", SPARQL_XML),
    (SELECT_FORMATS, None, "text/tab-separated-values", SPARQL_TSV),
    (ASK_FORMATS, "text/csv, application/sparql-results+xml;q=0.1", None, SPARQL_XML),
    (RDF_FORMATS, None, None, TURTLE),
    (RDF_FORMATS, "application/n-triples", None, N_TRIPLES),
    (RDF_FORMATS, "text/plain", None, N_TRIPLES),
    (RDF_FORMATS, "application/ld+json", None, JSON_LD),
    (RDF_FORMATS, "application/rdf+xml", None, RDF_XML),
    (RDF_FORMATS, "application/trig;q=0.8, text/turtle;q=0.7", None, TRIG),
    (RDF_FORMATS, "text/turtle; charset=utf-8", None, TURTLE),
    (RDF_FORMATS, BROWSER, None, RDF_XML),
    (RDF_FORMATS, None, "json", JSON_LD),
    (RDF_FORMATS, None, "xml", RDF_XML),
]


@pytest.mark.parametrize(("offered", "accept", "param", "expected"), CASES)
def test_negotiate(offered, accept, param, expected):
    assert negotiate(offered, accept, param) == expected


NOT_ACCEPTABLE = [
    (SELECT_FORMATS, "text/turtle", None),
    (SELECT_FORMATS, "application/sparql-results+json;q=0", None),
    (ASK_FORMATS, "text/csv", None),
    (RDF_FORMATS, "application/sparql-results+json", None),
    (RDF_FORMATS, None, "csv"),
    (SELECT_FORMATS, None, "no-such-format"),
]


@pytest.mark.parametrize(("offered", "accept", "param"), NOT_ACCEPTABLE)
def test_not_acceptable(offered, accept, param):
    with pytest.raises(NotAcceptable) as error:
        negotiate(offered, accept, param)
    assert offered[0].media_type in str(error.value)


def test_parse_accept_reads_quality_and_skips_malformed_ranges():
    ranges = parse_accept("text/turtle;q=0.5, */json, application/*;q=2, */*;q=0.1")
    assert [(r.type, r.subtype, r.quality, r.specificity) for r in ranges] == [
        ("text", "turtle", 0.5, 2),
        ("*", "*", 0.1, 0),
    ]


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [(TURTLE, "text/turtle; charset=utf-8"), (SPARQL_JSON, "application/sparql-results+json")],
)
def test_content_type_names_the_charset_of_text_types(fmt, content_type):
    assert fmt.content_type == content_type


def test_negotiate_each_kind_of_result():
    chosen = negotiate_each("text/csv, text/turtle;q=0.5", None)
    assert chosen == {"select": SPARQL_CSV, "ask": None, "graph": TURTLE}
    assert negotiate_each(None, "xml") == {"select": SPARQL_XML, "ask": SPARQL_XML, "graph": RDF_XML}

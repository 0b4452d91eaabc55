"""Counts that show what the knowledge base holds, each a SPARQL query over the store."""

from __future__ import annotations

from stancekb.namespaces import SPARQL_PREFIXES
from stancekb.store import QueryResult, Store

QUERIES: dict[str, str] = {
    "triples per graph": """
        SELECT ?graph (COUNT(*) AS ?triples) WHERE { GRAPH ?graph { ?s ?p ?o } }
        GROUP BY ?graph ORDER BY ?graph""",
    "instances per class": """
        SELECT ?class (COUNT(DISTINCT ?instance) AS ?instances) WHERE { ?instance a ?class }
        GROUP BY ?class ORDER BY DESC(?instances) ?class""",
    "stances per polarity": """
        SELECT ?polarity (COUNT(DISTINCT ?stance) AS ?stances) WHERE { ?stance a skb:Stance ; skb:polarity ?polarity }
        GROUP BY ?polarity ORDER BY DESC(?stances) ?polarity""",
    "stances per reporting mode": """
        SELECT ?mode (COUNT(DISTINCT ?stance) AS ?stances) WHERE { ?stance a skb:Stance ; skb:reportingMode ?mode }
        GROUP BY ?mode ORDER BY DESC(?stances) ?mode""",
    "stances per holder": """
        SELECT ?holder (COUNT(DISTINCT ?stance) AS ?stances) WHERE { ?stance a skb:Stance ; skb:holder ?holder }
        GROUP BY ?holder ORDER BY DESC(?stances) ?holder""",
    "quotes per speaker": """
        SELECT ?speaker (COUNT(DISTINCT ?quote) AS ?quotes) WHERE { ?quote a skb:Quote ; prov:wasAttributedTo ?speaker }
        GROUP BY ?speaker ORDER BY DESC(?quotes) ?speaker""",
    "dependencies per dependum": """
        SELECT ?dependum (COUNT(DISTINCT ?dependency) AS ?dependencies)
        WHERE { ?dependency a skb:Dependency ; skb:dependum ?dependum }
        GROUP BY ?dependum ORDER BY DESC(?dependencies) ?dependum""",
}
"""Title -> SELECT query; the default graph is the union of the named graphs."""


def statistics(store: Store) -> dict[str, QueryResult]:
    """Run every query of ``QUERIES`` on the store, by title."""
    return {title: store.query(SPARQL_PREFIXES + query) for title, query in QUERIES.items()}

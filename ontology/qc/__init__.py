"""Ontology quality rules: SPARQL queries named *-violation.rq that must return nothing."""

"""The HTTP server: SPARQL 1.1 Protocol, Graph Store Protocol, REST layer and query page."""

"""The OWL ontology (stance.ttl) and its modules, shipped as package data."""

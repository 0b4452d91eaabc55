"""The competency questions: SPARQL files with their expected answers."""

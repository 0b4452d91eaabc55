"""One TriG file per source document, each holding the source's named graph."""

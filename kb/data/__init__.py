"""The knowledge base: the reference graph and one file per source, shipped as package data."""

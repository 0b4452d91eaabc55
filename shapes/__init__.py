"""The SHACL shapes every write must pass, shipped as package data."""

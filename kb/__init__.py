"""StanceKB: a knowledge base of who stands where, as linked data."""

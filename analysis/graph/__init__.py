"""analysis/graph."""

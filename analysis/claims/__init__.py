"""analysis/claims."""

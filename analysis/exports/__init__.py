"""analysis/exports."""

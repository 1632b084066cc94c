"""simulation/runs."""

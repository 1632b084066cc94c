"""simulation/store."""

"""simulation/engine."""

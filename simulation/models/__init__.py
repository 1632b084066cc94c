"""simulation/models."""

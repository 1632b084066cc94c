"""simulation/minds."""

"""simulation/engine."""

from skins.simulation.engine.apply import deliver
from skins.simulation.engine.graph import RunContext, build_graph, initial_state, recursion_limit, run_graph

__all__ = [
    "RunContext",
    "build_graph",
    "deliver",
    "initial_state",
    "recursion_limit",
    "run_graph",
]

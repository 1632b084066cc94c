"""The simulation engine: one run as a LangGraph ``StateGraph`` (schedule -> act -> apply per turn).

``graph`` builds and runs the graph (state, runtime context, the turn node); ``apply`` applies a
mind's decision to the world (tools, messages, hearsay). It knows nothing of stores or sweeps:
records leave through ``RunContext.sink``, and ``skins.simulation.runs`` executes runs. A new kind
of step in a turn is a change to ``make_turn_node``; a new mind is not an engine change (minds/).
"""

from skins.simulation.engine.apply import deliver
from skins.simulation.engine.graph import (
    RunContext,
    RunState,
    build_graph,
    initial_state,
    recursion_limit,
    run_graph,
)

__all__ = [
    "RunContext",
    "RunState",
    "build_graph",
    "deliver",
    "initial_state",
    "recursion_limit",
    "run_graph",
]

"""Simulation: base-model backends, minds, the LangGraph engine, the run store, runs and sweeps.

Sub-packages, bottom to top: ``models`` (backends, client, retries, cache, the local model) ←
``minds`` (policy, scripted, LLM) ← ``engine`` (the LangGraph graph) and ``store`` ← ``runs``
(run specs, executors, sweeps).
"""

from skins.simulation.engine import build_graph
from skins.simulation.minds import Mind, MindResult, PolicyMind
from skins.simulation.models import backend_names, get_backend, register_backend
from skins.simulation.runs import RunSpec, execute_run, plan_runs, run_all
from skins.simulation.store import Store

__all__ = [
    "Mind",
    "MindResult",
    "PolicyMind",
    "RunSpec",
    "Store",
    "backend_names",
    "build_graph",
    "execute_run",
    "get_backend",
    "plan_runs",
    "register_backend",
    "run_all",
]

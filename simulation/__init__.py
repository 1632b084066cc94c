"""Simulation: base-model backends, minds, the LangGraph engine, the run store, runs and sweeps.

Sub-packages, bottom to top: ``models`` (backends, client, retries, cache, the local model) ←
``minds`` (policy, scripted, LLM) ← ``engine`` (the LangGraph graph) and ``store`` ← ``runs``
(run specs, executors, sweeps).
"""

from skins.simulation.engine.graph import build_graph
from skins.simulation.minds.base import Mind, MindResult
from skins.simulation.minds.policy import PolicyMind
from skins.simulation.models.backends import backend_names, get_backend, register_backend
from skins.simulation.runs.runner import RunSpec, execute_run, plan_runs, run_all
from skins.simulation.store.store import Store

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

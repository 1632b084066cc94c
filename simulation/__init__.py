"""Simulation: base-model backends, minds, the LangGraph engine, runs, the store and the CLI.

Exports resolve lazily so that low-level modules (``simulation.errors``,
``simulation.configio``) can be imported by ``personas`` and ``worlds``
without pulling in the engine.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "BackendError",
    "ConfigError",
    "Mind",
    "MindResult",
    "NotFoundError",
    "PolicyMind",
    "RunSpec",
    "SimulationError",
    "SkinsError",
    "Store",
    "StoreError",
    "backend_names",
    "build_graph",
    "execute_run",
    "get_backend",
    "plan_runs",
    "register_backend",
    "run_all",
]

_HOME = {
    "BackendError": "errors",
    "ConfigError": "errors",
    "NotFoundError": "errors",
    "SimulationError": "errors",
    "SkinsError": "errors",
    "StoreError": "errors",
    "Mind": "minds",
    "MindResult": "minds",
    "PolicyMind": "policy",
    "RunSpec": "runner",
    "execute_run": "runner",
    "plan_runs": "runner",
    "run_all": "runner",
    "Store": "store",
    "build_graph": "engine",
    "backend_names": "backends",
    "get_backend": "backends",
    "register_backend": "backends",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'simulation' has no attribute {name!r}")
    return getattr(importlib.import_module(f"simulation.{_HOME[name]}"), name)

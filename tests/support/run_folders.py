"""Folders of real runs for the tables' tests: a world (or WORLD@VARIANT) simulated by the engine and
analysed, with policy minds or with a stand-in for a language model.

``stand_in`` is a backend that plays each role with the policy mind but is registered under a name that
is not a no-language-model backend (:data:`skins.simulation.models.NO_LANGUAGE_MODEL`), so the store
records its runs as played by a language model (base model ``stand_in``) without any model call.
"""

from __future__ import annotations

__all__ = ["STAND_IN", "simulate_into"]

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from skins.analysis import analyze_folder
from skins.simulation.minds import MindFactory, PolicyMind, registered_backend
from skins.simulation.models import NO_LANGUAGE_MODEL, ModelSpec, parse_model_arg
from skins.simulation.runs import execute_run, plan_runs
from skins.simulation.store import Store
from skins.worlds.library import load_world

STAND_IN = "stand_in"
assert STAND_IN not in NO_LANGUAGE_MODEL


def _stand_in(spec: ModelSpec) -> MindFactory:
    """Each role played by the policy mind."""
    return lambda role, world, calls: PolicyMind(role, world.personas[role], world.spec)


def simulate_into(folder: Path, world: str, seeds: range, model: str = "policy", ablate: tuple[str, ...] = ()) -> None:
    """Run ``world`` (an id, a path or ``REF@VARIANT``) over ``seeds`` into ``folder``, then analyse the folder
    (stores the findings, as ``skins run`` does). ``model`` as ``--model`` takes it (``policy``,
    ``scripted:FILE``) or :data:`STAND_IN`.

    In a thread of its own: playwright's sync API keeps an event loop running in the caller's.
    """

    def simulate() -> None:
        with registered_backend(STAND_IN, _stand_in), Store(folder) as store:
            for spec in plan_runs(load_world(world), seeds, {"default": parse_model_arg(model)}, ablate):
                asyncio.run(execute_run(spec, store))
        list(analyze_folder(folder))

    with ThreadPoolExecutor(1) as pool:
        pool.submit(simulate).result()

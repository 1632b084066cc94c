"""What a run is and how runs execute: RunSpec (its id a hash of the spec), RunOptions, RunOutcome."""

from __future__ import annotations

__all__ = ["RunOptions", "RunOutcome", "RunSpec", "plan_runs"]

import functools
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from skins.core import check_seeds
from skins.simulation.minds import backend_names
from skins.simulation.models import ModelSpec, ResponseCache, resolve_model
from skins.worlds.library import World


def _default_models() -> dict[str, ModelSpec | str]:
    return {"default": "policy"}


class RunSpec(BaseModel):
    """Everything that determines a run; its id is a hash of this."""

    model_config = ConfigDict(frozen=True)

    world: World
    models: dict[str, ModelSpec | str] = Field(default_factory=_default_models)
    """Alias -> settings or reference (``default`` is what personas use unless told otherwise)."""
    seed: int
    ablate: list[str] = Field(default_factory=list)
    """Incentive ids removed from the world for this run."""

    @functools.cached_property
    def canonical_json(self) -> str:
        """The spec as sorted-key JSON (computed once: the spec is frozen); stored with the run. The
        world, shared by a sweep's runs and sorting last, is encoded once per world."""
        rest = json.dumps(self.model_dump(mode="json", by_alias=True, exclude={"world"}), sort_keys=True)
        return f'{rest[:-1]}, "world": {self.world.canonical_json}}}'

    @functools.cached_property
    def run_id(self) -> str:
        """Hash of the canonical JSON of the spec."""
        return hashlib.sha256(self.canonical_json.encode()).hexdigest()[:16]

    def effective_world(self) -> World:
        if not self.ablate:
            return self.world
        return self.world.model_copy(update={"spec": self.world.spec.without_incentives(self.ablate)})

    def role_models(self) -> dict[str, ModelSpec]:
        """Role -> resolved model settings."""
        out = {}
        for role, entry in self.world.spec.cast.items():
            alias = entry.base_model or self.world.personas[role].base_model
            out[role] = resolve_model(alias, self.models, backend_names())
        return out


class RunOutcome(BaseModel):
    """How one run of a sweep ended, with its usage."""

    run_id: str
    seed: int
    status: str
    """``done``, ``degraded`` (finished, but turns were lost to model errors that outlasted their retries;
    ``retry_failed`` reruns it from there), ``failed``, ``skipped`` (already finished), ``not_started``
    (budget or fatal error) or ``interrupted`` (stopped by a signal, a lost worker or the budget; a rerun
    resumes it)."""
    error: str | None = None
    fatal: bool = False
    """The failure will repeat for every run of this configuration (bad key, unknown model)."""
    fatal_model: str | None = None
    """The model reference whose permanent error failed the run; later runs using it are not started."""
    budget: bool = False
    """Stopped (``interrupted`` mid-way, or ``not_started``) by the budget: resumable once it is raised."""
    turns: int = 0
    calls: int = 0
    cost_usd: float = 0.0

    @classmethod
    def of(cls, spec: RunSpec, status: str, error: str | None = None) -> RunOutcome:
        """An outcome with no usage: a run skipped, not started, interrupted or failed outside the engine."""
        return cls(run_id=spec.run_id, seed=spec.seed, status=status, error=error)

    @classmethod
    def interrupted(cls, spec: RunSpec) -> RunOutcome:
        return cls.of(spec, "interrupted", "interrupted; rerun to resume")


def _never() -> bool:
    return False


@dataclass(frozen=True)
class RunOptions:
    """How runs are executed (not part of a run's identity)."""

    cache: ResponseCache | None = None
    """None = no response cache (``--no-cache``)."""
    budget_usd: float | None = None
    """A hard cap on spending: no model call starts when what was spent (in this folder, over every
    attempt) plus the reservations of the calls in flight could pass it; runs it cuts are resumable."""
    retry_failed: bool = False
    """Rerun ``degraded`` runs (finished with turns lost to model errors): the turns before the first
    lost one replay from the cache. Otherwise they are kept as they are."""
    concurrency: int = 1
    """Runs in flight at once (each run's turns stay in order)."""
    stop: Callable[[], bool] = _never
    """Checked before each turn and each run: True drains (in-flight calls finish and are cached)."""
    processes: int = 1
    """Engine processes, this one included (which alone writes the store; the others are forked);
    1 runs everything on this process's event loop."""


def plan_runs(
    world: World,
    seeds: Sequence[int],
    models: Mapping[str, ModelSpec | str] | None = None,
    ablate: Sequence[str] = (),
) -> list[RunSpec]:
    """One RunSpec per seed (at most :data:`~skins.core.MAX_SEEDS` of them, each a 64-bit integer)."""
    check_seeds(seeds)
    chosen = dict(models) if models is not None else _default_models()
    return [RunSpec(world=world, models=chosen, seed=s, ablate=list(ablate)) for s in seeds]

"""Runs: a spec (world x base models x seed x ablation) with a content-hash id, executed into a store."""

from __future__ import annotations

__all__ = ["RunOutcome", "RunSpec", "execute_run", "plan_runs", "run_all"]

import asyncio
import hashlib
import json
import random
from collections.abc import Callable, Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field

from simulation.backends import get_backend, resolve_model
from simulation.engine import RunContext, build_graph, initial_state, recursion_limit
from simulation.errors import SkinsError
from simulation.minds import Mind
from simulation.store import Store
from worlds.library import World
from worlds.records import Record, RoleInfo


class RunSpec(BaseModel):
    """Everything that determines a run; its id is a hash of this."""

    model_config = ConfigDict(frozen=True)

    world: World
    models: dict[str, str] = Field(default_factory=lambda: {"default": "policy"})
    """Alias -> backend reference (``default`` is what personas use unless told otherwise)."""
    seed: int
    ablate: list[str] = Field(default_factory=list)
    """Incentive ids removed from the world for this run."""

    @property
    def run_id(self) -> str:
        blob = json.dumps(self.model_dump(mode="json", by_alias=True), sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def effective_world(self) -> World:
        if not self.ablate:
            return self.world
        return self.world.model_copy(update={"spec": self.world.spec.without_incentives(self.ablate)})

    def role_models(self) -> dict[str, str]:
        """Role -> resolved backend reference."""
        out = {}
        for role, entry in self.world.spec.cast.items():
            alias = entry.base_model or self.world.personas[role].base_model
            out[role] = resolve_model(alias, self.models)
        return out


class RunOutcome(BaseModel):
    run_id: str
    seed: int
    status: str
    """``done``, ``failed`` or ``skipped`` (already finished in the store)."""
    error: str | None = None
    turns: int = 0


def plan_runs(
    world: World, seeds: Sequence[int], models: Mapping[str, str] | None = None, ablate: Sequence[str] = ()
) -> list[RunSpec]:
    """One RunSpec per seed."""
    return [
        RunSpec(world=world, models=dict(models or {"default": "policy"}), seed=s, ablate=list(ablate)) for s in seeds
    ]


def _minds(spec: RunSpec, world: World) -> dict[str, Mind]:
    factories = {}
    minds: dict[str, Mind] = {}
    for role, ref in spec.role_models().items():
        if ref not in factories:
            factories[ref] = get_backend(ref)
        minds[role] = factories[ref](role, world)
    return minds


async def execute_run(spec: RunSpec, store: Store) -> RunOutcome:
    """Run one spec into ``store`` unless it already finished there; failures are recorded, not raised."""
    run_id = spec.run_id
    existing = store.run(run_id)
    if existing is not None and existing.status == "done":
        return RunOutcome(run_id=run_id, seed=spec.seed, status="skipped")
    world = spec.effective_world()
    models = spec.role_models()
    roles = {
        r: RoleInfo(persona=world.personas[r].id, title=world.personas[r].title, base_model=models[r])
        for r in world.spec.cast
    }
    store.start_run(
        run_id, world.spec.id, spec.seed, spec.model_dump(mode="json", by_alias=True), roles, list(spec.ablate)
    )
    state = initial_state(world)
    store.append(run_id, state["records"])
    try:
        minds = _minds(spec, world)
        context = RunContext(world=world, minds=minds, rng=random.Random(spec.seed), sink=_sink(store, run_id))
        final = await build_graph().ainvoke(state, context=context, config={"recursion_limit": recursion_limit(world)})
    except SkinsError as exc:
        store.finish_run(run_id, error=f"{type(exc).__name__}: {exc}")
        return RunOutcome(run_id=run_id, seed=spec.seed, status="failed", error=str(exc))
    turns = sum(1 for r in final["records"] if r.kind == "turn")
    store.finish_run(run_id)
    return RunOutcome(run_id=run_id, seed=spec.seed, status="done", turns=turns)


def _sink(store: Store, run_id: str) -> Callable[[list[Record]], None]:
    return lambda records: store.append(run_id, records)


def run_all(
    specs: Sequence[RunSpec], store: Store, on_done: Callable[[RunOutcome], None] | None = None
) -> list[RunOutcome]:
    """Execute runs one after another (issue 5 brings the concurrent executor)."""

    async def go() -> list[RunOutcome]:
        outcomes = []
        for spec in specs:
            outcome = await execute_run(spec, store)
            if on_done:
                on_done(outcome)
            outcomes.append(outcome)
        return outcomes

    return asyncio.run(go())

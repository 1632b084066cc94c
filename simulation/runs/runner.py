"""Runs: a spec (world x base models x seed x ablation) with a content-hash id, executed into a store."""

from __future__ import annotations

__all__ = ["RunOptions", "RunOutcome", "RunSpec", "check_backends", "execute_run", "plan_runs", "run_all"]

import functools
import hashlib
import json
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from skins.core import SkinsError
from skins.simulation.engine import RunContext, initial_state, recursion_limit, run_graph
from skins.simulation.minds import Mind, backend_names, get_backend
from skins.simulation.models import (
    CpuHold,
    FatalModelError,
    ModelSpec,
    ResponseCache,
    RunCalls,
    cpu_gate,
    per_sweep,
    resolve_model,
)
from skins.simulation.store import Store
from skins.worlds import Record, RoleInfo
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
    run_id: str
    seed: int
    status: str
    """``done``, ``failed``, ``skipped`` (already finished) or ``not_started`` (budget or fatal error)."""
    error: str | None = None
    fatal: bool = False
    """The failure will repeat for every run of this configuration (bad key, unknown model)."""
    fatal_model: str | None = None
    """The model reference whose permanent error failed the run; later runs using it are not started."""
    turns: int = 0
    calls: int = 0
    cost_usd: float = 0.0


@dataclass(frozen=True)
class RunOptions:
    """How runs are executed (not part of a run's identity)."""

    cache: ResponseCache | None = None
    """None = no response cache (``--no-cache``)."""
    budget_usd: float | None = None
    """Stop starting new runs when spending would exceed this."""
    concurrency: int = 1
    """Runs in flight at once (each run's turns stay in order)."""
    stop: Callable[[], bool] = lambda: False
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
    """One RunSpec per seed."""
    chosen = dict(models) if models is not None else _default_models()
    return [RunSpec(world=world, models=chosen, seed=s, ablate=list(ablate)) for s in seeds]


def check_backends(specs: Sequence[RunSpec]) -> None:
    """Create every distinct backend once, so a missing key or extra fails before any run starts."""
    seen: set[str] = set()
    for spec in specs:
        for settings in spec.role_models().values():
            key = settings.model_dump_json()
            if key not in seen:
                seen.add(key)
                get_backend(settings)


class _Minds(Mapping[str, Mind]):
    """A run's minds, each made when its role first acts: the run's first model call waits only for
    its first actor's mind. Each backend's mind factory is made once per sweep."""

    def __init__(self, models: dict[str, ModelSpec], world: World, calls: RunCalls) -> None:
        self._models = models
        self._world = world
        self._calls = calls
        self._made: dict[str, Mind] = {}

    def __getitem__(self, role: str) -> Mind:
        mind = self._made.get(role)
        if mind is None:
            settings = self._models[role]
            factory = per_sweep(("backend", settings.model_dump_json()), functools.partial(get_backend, settings))
            mind = self._made[role] = factory(role, self._world, self._calls)
        return mind

    def __iter__(self) -> Iterator[str]:
        return iter(self._models)

    def __len__(self) -> int:
        return len(self._models)


async def execute_run(spec: RunSpec, store: Store, options: RunOptions | None = None) -> RunOutcome:
    """Run one spec into ``store`` unless it already finished there; failures are recorded, not raised."""
    options = options or RunOptions()
    run_id = spec.run_id
    existing = store.run(run_id)
    if existing is not None and existing.status == "done":
        return RunOutcome(run_id=run_id, seed=spec.seed, status="skipped")
    cpu = cpu_gate().hold()
    async with cpu.held_during():
        return await _execute(spec, store, options, cpu)


async def _execute(spec: RunSpec, store: Store, options: RunOptions, cpu: CpuHold) -> RunOutcome:
    run_id = spec.run_id
    world = spec.effective_world()
    models = spec.role_models()
    roles = {
        r: RoleInfo(persona=world.personas[r].id, title=world.personas[r].title, base_model=models[r].ref)
        for r in world.spec.cast
    }
    store.start_run(run_id, world.spec.ref, spec.seed, spec.canonical_json, roles, list(spec.ablate), commit=False)
    state = initial_state(world)
    store.append(run_id, state["records"], commit=False)  # both land with the first turn's commit
    commit = _committer(store, options.cache)
    calls = RunCalls(
        seed=spec.seed,
        cache=options.cache,
        sink=lambda c: store.add_call(run_id, c, commit=False),
        commit=commit,
        cpu=cpu,
    )
    try:
        context = RunContext(
            world=world,
            minds=_Minds(models, world, calls),
            sink=_sink(store, run_id, options.cache),
            stop=options.stop,
            seed=spec.seed,
        )
        final = await run_graph(state, context, recursion_limit(world))
    except SkinsError as exc:
        store.finish_run(run_id, error=f"{type(exc).__name__}: {exc}")
        usage = store.usage(run_id)
        return RunOutcome(
            run_id=run_id,
            seed=spec.seed,
            status="failed",
            error=str(exc),
            fatal=isinstance(exc, FatalModelError),
            fatal_model=exc.model if isinstance(exc, FatalModelError) else None,
            calls=usage.calls,
            cost_usd=usage.cost_usd,
        )
    if final.get("interrupted"):
        return RunOutcome(run_id=run_id, seed=spec.seed, status="interrupted", error="interrupted; rerun to resume")
    store.finish_run(run_id)
    usage = store.usage(run_id)
    turns = sum(1 for r in final["records"] if r.kind == "turn")
    return RunOutcome(
        run_id=run_id, seed=spec.seed, status="done", turns=turns, calls=usage.calls, cost_usd=usage.cost_usd
    )


def _committer(store: Store, cache: ResponseCache | None) -> Callable[[], Awaitable[None]]:
    """Makes a run's pending writes durable: the replies it cached, then its records and call records.

    Awaited before every model request (and the sink commits at the end of every turn): a finished
    turn is durable before the run goes on, and a reply is committed with the turn that used it (a
    kill -9 can only lose replies of turns that had not finished, at most one per run in flight).
    Before a run's first request there is nothing of that kind, only the run's registration, which
    lands with its first turn: every run of a sweep starting at once would otherwise pay a commit
    before its first call.
    """
    asked = False

    async def commit() -> None:
        nonlocal asked
        if not asked:
            asked = True
            return
        if cache is not None:
            cache.commit()
        await store.durable()

    return commit


def _sink(store: Store, run_id: str, cache: ResponseCache | None) -> Callable[[list[Record]], None]:
    def sink(records: list[Record]) -> None:
        store.append(run_id, records, commit=False)
        if cache is not None:
            cache.commit()
        store.commit()

    return sink


def run_all(
    specs: Sequence[RunSpec],
    store: Store,
    on_done: Callable[[RunOutcome], None] | None = None,
    options: RunOptions | None = None,
) -> list[RunOutcome]:
    """Execute runs (concurrently up to ``options.concurrency``); Ctrl-C or SIGTERM stops cleanly.

    Runs not started because of a signal are reported ``interrupted``; rerunning resumes them.
    """
    from skins.simulation.runs.local import execute_specs, run_until_signalled

    return run_until_signalled(lambda opts: execute_specs(specs, store, opts, on_done), options or RunOptions(), specs)

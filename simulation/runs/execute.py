"""One run into a store: its minds, the engine, durable commits; failures recorded, not raised."""

from __future__ import annotations

__all__ = ["check_backends", "count_done", "execute_run", "finished_outcome", "role_infos"]

import functools
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence

from skins.core import SkinsError
from skins.simulation.engine import RunContext, RunState, initial_state, recursion_limit, run_graph
from skins.simulation.minds import Mind, get_backend
from skins.simulation.models import (
    BudgetExceeded,
    CpuHold,
    FatalModelError,
    ModelSpec,
    ResponseCache,
    RunCalls,
    cpu_gate,
    per_sweep,
)
from skins.simulation.runs.spec import RunOptions, RunOutcome, RunSpec
from skins.simulation.runs.spending import Ledgers, Spending
from skins.simulation.store import FINISHED, Store
from skins.worlds import Record, RoleInfo
from skins.worlds.library import World


def check_backends(specs: Sequence[RunSpec]) -> None:
    """Create every distinct backend once, so a missing key or extra fails before any run starts."""
    seen: set[str] = set()
    for spec in specs:
        for settings in spec.role_models().values():
            key = settings.model_dump_json()
            if key not in seen:
                seen.add(key)
                get_backend(settings)


def role_infos(world: World, models: Mapping[str, ModelSpec]) -> dict[str, RoleInfo]:
    """Who plays each role of a run (its effective world, its role models), as the store records it."""
    return {
        r: RoleInfo(persona=world.personas[r].id, title=world.personas[r].title, base_model=models[r].ref)
        for r in world.spec.cast
    }


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


def finished_outcome(store: Store, spec: RunSpec, options: RunOptions) -> RunOutcome | None:
    """The outcome of a run that already finished in ``store`` and is not to run again (``skipped``, or
    ``degraded`` kept without ``retry_failed``); None: execute it."""
    existing = store.run(spec.run_id)
    if existing is None or existing.status not in FINISHED:
        return None
    if existing.status == "done":
        return RunOutcome.of(spec, "skipped")
    if options.retry_failed:
        return None
    return RunOutcome.of(spec, "degraded", existing.error)


async def execute_run(
    spec: RunSpec, store: Store, options: RunOptions | None = None, ledgers: Ledgers | None = None
) -> RunOutcome:
    """Run one spec into ``store`` unless it already finished there; failures are recorded, not raised.

    ``ledgers``: where its paid calls are recorded and the budget enforced (default: a ledger of its own
    on ``store`` with ``options.budget_usd``; a sweep shares one among its runs)."""
    options = options or RunOptions()
    finished = finished_outcome(store, spec, options)
    if finished is not None:
        return finished
    cpu = cpu_gate().hold()
    async with cpu.held_during():
        return await _execute(spec, store, options, cpu, ledgers or Spending(store, options.budget_usd))


async def _execute(spec: RunSpec, store: Store, options: RunOptions, cpu: CpuHold, ledgers: Ledgers) -> RunOutcome:
    run_id = spec.run_id
    world = spec.effective_world()
    models = spec.role_models()
    roles = role_infos(world, models)
    store.start_run(run_id, world.spec.ref, spec.seed, spec.canonical_json, roles, list(spec.ablate), commit=False)
    state = initial_state(world)
    store.append(run_id, state["records"], commit=False)  # both land with the first turn's commit
    calls = RunCalls(
        seed=spec.seed,
        cache=options.cache,
        sink=lambda c: store.add_call(run_id, c, commit=False),
        commit=_committer(store, options.cache),
        cpu=cpu,
        ledger=ledgers.for_run(run_id),
    )
    context = RunContext(
        world=world,
        minds=_Minds(models, world, calls),
        sink=_sink(store, run_id, options.cache),
        stop=options.stop,
        seed=spec.seed,
    )
    try:
        final = await run_graph(state, context, recursion_limit(world))
    except BudgetExceeded as exc:  # left running: raising the budget and rerunning resumes it
        reason = f"{exc}; raise the budget and rerun to resume"
        store.finish_run(spec.run_id, error=reason, status="running")
        return RunOutcome.of(spec, "interrupted", reason).model_copy(update={"budget": True})
    except SkinsError as exc:
        return _failed(spec, store, exc)
    return _ended(spec, store, final)


def _failed(spec: RunSpec, store: Store, exc: SkinsError) -> RunOutcome:
    store.finish_run(spec.run_id, error=f"{type(exc).__name__}: {exc}")
    usage = store.usage(spec.run_id)
    fatal = exc.model if isinstance(exc, FatalModelError) else None
    return RunOutcome(
        run_id=spec.run_id,
        seed=spec.seed,
        status="failed",
        error=str(exc),
        fatal=isinstance(exc, FatalModelError),
        fatal_model=fatal,
        calls=usage.calls,
        cost_usd=usage.cost_usd,
    )


def _ended(spec: RunSpec, store: Store, final: RunState) -> RunOutcome:
    """A run the engine finished, or stopped early on request (left ``running``: a rerun resumes it)."""
    if final.get("interrupted"):
        return RunOutcome.interrupted(spec)
    usage = store.usage(spec.run_id)
    lost = None
    if usage.errors:
        lost = (
            f"{usage.errors} model call(s) failed after all retries, so their turns are invalid; "
            "rerun with --retry-failed to redo them (the turns before replay from the cache)"
        )
    store.finish_run(spec.run_id, error=lost, status="degraded" if lost else "done")
    turns = sum(1 for r in final["records"] if r.kind == "turn")
    return RunOutcome(
        run_id=spec.run_id,
        seed=spec.seed,
        status="degraded" if lost else "done",
        error=lost,
        turns=turns,
        calls=usage.calls,
        cost_usd=usage.cost_usd,
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


def count_done(store: Store, plans: Sequence[RunSpec]) -> int:
    """How many of ``plans`` already finished in ``store`` (``done`` or ``degraded``: a resumed sweep skips them)."""
    return sum(1 for p in plans if (r := store.run(p.run_id)) is not None and r.finished)

"""Sweeps on Ray: every run executes in a Ray task, and only the driver writes the run store.

A task runs one spec into a throw-away store in a temporary directory on its
worker and returns everything that store recorded. The driver copies each result
into the real store as it arrives; ``Store.start_run`` first discards whatever an
earlier attempt left, so results land exactly as local runs do and a retried task
can never duplicate turns. Needs the extra: ``pip install 'skins[ray]'``.
"""

from __future__ import annotations

__all__ = ["RunPayload", "execute_in_worker", "run_on_ray"]

import importlib
import os
import tempfile
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from skins.core import BackendError, run_sync
from skins.simulation.models import CallRecord, ResponseCache
from skins.simulation.runs.control import Tally, save_plan
from skins.simulation.runs.execute import execute_run, finished_outcome, role_infos
from skins.simulation.runs.spec import RunOptions, RunOutcome, RunSpec
from skins.simulation.store import RunRow, Store
from skins.worlds import Record

_RECORD: TypeAdapter[Record] = TypeAdapter(Annotated[Record, Field(discriminator="kind")])


class RunPayload(BaseModel):
    """What a task sends back: the run's row and outcome, its records and model calls as JSON, in order,
    and its ledger rows (what its paid calls cost)."""

    model_config = ConfigDict(frozen=True)

    row: RunRow
    outcome: RunOutcome
    records: list[str]
    calls: list[str]
    spend: list[tuple[Any, ...]] = []


def execute_in_worker(spec: RunSpec, cache_path: str | None) -> RunPayload:
    """Run ``spec`` into a temporary store and return what it recorded (the body of each Ray task).

    The response cache is used when ``cache_path`` exists on this machine; otherwise the run goes uncached.
    """
    cache = ResponseCache(Path(cache_path)) if cache_path and Path(cache_path).is_file() else None
    try:
        with tempfile.TemporaryDirectory(prefix="skins-ray-") as tmp, Store(Path(tmp)) as store:
            outcome = run_sync(execute_run(spec, store, RunOptions(cache=cache)))
            row = store.run(spec.run_id)
            assert row is not None  # execute_run registers the run before anything can fail
            return RunPayload(
                row=row,
                outcome=outcome,
                records=[r.model_dump_json() for r in store.records(spec.run_id)],
                calls=[c.model_dump_json() for c in store.calls(spec.run_id)],
                spend=store.spend.rows(spec.run_id),
            )
    finally:
        if cache is not None:
            cache.close()


def run_on_ray(
    specs: Sequence[RunSpec],
    store: Store,
    options: RunOptions | None = None,
    address: str | None = None,
    max_retries: int = 2,
    on_done: Callable[[RunOutcome], None] | None = None,
    runtime_env: Mapping[str, Any] | None = None,
) -> list[RunOutcome]:
    """Execute runs as Ray tasks, at most ``options.concurrency`` in flight, writing each result into ``store``.

    Returns one outcome per spec, in order, like ``run_all``: runs already ``done`` in the store are skipped; a
    task whose worker dies is retried up to ``max_retries`` times and, if it still fails, recorded as a failed
    run with the reason; a permanent model error stops only later runs of that model, and the budget stops
    starting runs (it is checked between runs only: a task's calls are recorded when its run lands).
    ``address`` None starts a local instance on this machine's CPUs (unless Ray is initialised or
    ``RAY_ADDRESS`` is set); ``runtime_env`` goes to ``ray.init`` when this call initialises Ray. Ctrl-C
    cancels the tasks in flight; runs that did not land are reported ``interrupted`` (rerun to resume).
    """
    ray = _import_ray()
    options = options or RunOptions()
    tally = Tally(store, options, on_done, capped=False)  # the tasks' calls do not reach this process's ledger
    save_plan(store, specs)
    todo = deque(_to_run(tally, specs, options))
    if not todo:
        return tally.outcomes(specs)  # everything finished already: no need to start or join a cluster
    started = _connect(ray, address, runtime_env)
    task = ray.remote(max_retries=max_retries)(execute_in_worker)
    cache_path = str(options.cache.path) if options.cache is not None else None
    pending: dict[Any, tuple[int, RunSpec]] = {}  # ray.ObjectRef -> (position, run)
    try:
        while todo or pending:
            while todo and len(pending) < max(1, options.concurrency):
                i, spec = todo.popleft()
                refused = tally.refusal(spec)
                if refused:
                    tally.record(i, refused)
                else:
                    pending[task.remote(spec, cache_path)] = (i, spec)
            if pending:
                [ref], _ = ray.wait(list(pending), num_returns=1)
                i, spec = pending.pop(ref)
                tally.record(i, _land(ray, ref, spec, store, max_retries))
    except KeyboardInterrupt:
        for ref in pending:
            ray.cancel(ref, force=True)
    finally:
        if started:
            ray.shutdown()
    return tally.outcomes(specs)


def _to_run(tally: Tally, specs: Sequence[RunSpec], options: RunOptions) -> list[tuple[int, RunSpec]]:
    """(position, spec) of the runs to execute; finished runs and repeated run ids are skipped."""
    todo: list[tuple[int, RunSpec]] = []
    seen: set[str] = set()
    for i, spec in enumerate(specs):
        finished = finished_outcome(tally.store, spec, options)
        if finished is not None:
            tally.record(i, finished)
        elif spec.run_id in seen:
            tally.record(i, RunOutcome.of(spec, "skipped"))
        else:
            seen.add(spec.run_id)
            todo.append((i, spec))
    return todo


def _import_ray() -> Any:
    """The ray module, typed Any: only used at this boundary, and its own annotations are not needed here."""
    try:
        return importlib.import_module("ray")
    except ImportError as exc:
        raise BackendError("running on Ray needs the ray extra: pip install 'skins[ray]'") from exc


def _connect(ray: Any, address: str | None, runtime_env: Mapping[str, Any] | None) -> bool:
    """Initialise Ray unless it already is; True when this call did (and so must shut it down)."""
    if ray.is_initialized():
        return False
    local = address is None and not os.environ.get("RAY_ADDRESS")
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()  # honours pinning
    ray.init(
        address=address,
        ignore_reinit_error=True,
        include_dashboard=False,
        log_to_driver=False,
        num_cpus=cpus if local else None,  # a cluster's own resources are not ours to set
        runtime_env=dict(runtime_env) if runtime_env is not None else None,
    )
    return True


def _land(ray: Any, ref: Any, spec: RunSpec, store: Store, max_retries: int) -> RunOutcome:
    """Write a finished task's run into the store, or record the run as failed when the task failed."""
    try:
        payload: RunPayload = ray.get(ref)
    except ray.exceptions.RayError as exc:
        cause = getattr(exc, "cause", None)  # RayTaskError: what the task raised (not retried by Ray)
        if isinstance(cause, BaseException):
            reason = f"the Ray task raised {type(cause).__name__}: {cause}"
        else:
            reason = f"the Ray task failed after {max_retries} retries: {type(exc).__name__}: {exc}"
        _record_failure(store, spec, reason)
        return RunOutcome.of(spec, "failed", reason)
    _write(store, payload)
    return payload.outcome


def _write(store: Store, payload: RunPayload) -> None:
    """Copy a worker's run into the store, replacing any earlier attempt.

    Several commits, as Store offers no transaction spanning its calls; still safe: the run reads ``running``
    until ``finish_run``, so a driver that dies midway leaves a run that the next sweep redoes from scratch.
    """
    row = payload.row
    store.start_run(row.run_id, row.world_id, row.seed, row.spec, row.roles, row.ablated)
    store.append(row.run_id, [_RECORD.validate_json(js) for js in payload.records])
    for js in payload.calls:
        store.add_call(row.run_id, CallRecord.model_validate_json(js))
    store.spend.insert(payload.spend)
    store.finish_run(row.run_id, error=row.error, status=row.status)


def _record_failure(store: Store, spec: RunSpec, reason: str) -> None:
    world = spec.effective_world()
    roles = role_infos(world, spec.role_models())
    store.start_run(spec.run_id, world.spec.ref, spec.seed, spec.canonical_json, roles, list(spec.ablate))
    store.finish_run(spec.run_id, error=reason)

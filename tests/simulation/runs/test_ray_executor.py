"""Sweeps on a real local Ray instance: same store contents as local runs, idempotent, failures and dead workers."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from skins.simulation.minds import MindFactory, registered_backend, unregister_backend
from skins.simulation.models import ModelSpec
from skins.simulation.runs import RunOptions, RunOutcome, RunSpec, plan_runs, run_all, run_on_ray
from skins.simulation.store import Store
from skins.worlds import TurnRecord
from skins.worlds.library import World, load_world

ray = pytest.importorskip("ray", reason="the Ray executor needs the ray extra: pip install 'skins[ray]'")


pytestmark = pytest.mark.slow

_TEST_BACKENDS = ("dies_once", "dies_always")
_TWO = RunOptions(concurrency=2)
"""Two runs in flight, one per CPU of the module's Ray instance."""


def _backend_hook(marks: Path) -> Callable[[], None]:
    """Registers the test backends in the process that runs it (every Ray worker, via the setup hook).

    Both play the policy mind but kill their worker process at turn 3: ``dies_once`` only on the first
    attempt (detected by the marker file ``once``), ``dies_always`` at every attempt (counted in ``always``).
    Everything is defined inside the hook so that Ray ships it by value: workers cannot import this module.
    """

    def hook() -> None:
        import random

        from skins.simulation.minds import MindResult, PolicyMind, register_backend
        from skins.worlds import PersonaView

        def dying(marker: Path, every_attempt: bool) -> Callable[[ModelSpec], MindFactory]:
            class Dying(PolicyMind):
                async def decide(self, view: PersonaView, rng: random.Random) -> MindResult:
                    if view.turn >= 3 and (every_attempt or not marker.exists()):
                        with marker.open("a") as f:
                            f.write("attempt\n")
                        os._exit(1)  # the worker process dies mid-run, as on a segfault or the OOM killer
                    return await super().decide(view, rng)

            return lambda spec: lambda role, world, calls: Dying(role, world.personas[role], world.spec)

        register_backend("dies_once")(dying(marks / "once", every_attempt=False))
        register_backend("dies_always")(dying(marks / "always", every_attempt=True))

    return hook


@pytest.fixture(scope="module")
def marks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ray-marks")


@pytest.fixture(scope="module", autouse=True)
def local_ray(marks: Path) -> Iterator[None]:
    """One real local Ray instance (2 CPUs) for the module; the test backends are registered on every worker."""
    hook = _backend_hook(marks)
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={"worker_process_setup_hook": hook},
    )
    hook()  # the driver resolves the names too (to record a run whose task failed); it never calls the minds
    try:
        yield
    finally:
        ray.shutdown()
        for name in _TEST_BACKENDS:
            unregister_backend(name)


@pytest.fixture(scope="module")
def acme() -> World:
    return load_world("acme_quarter_end")


def _local(specs: list[RunSpec], folder: Path) -> Store:
    store = Store(folder)
    run_all(specs, store)
    return store


def _same_transcripts(a: Store, b: Store, specs: list[RunSpec]) -> None:
    for spec in specs:
        assert a.transcript(spec.run_id).model_dump_json() == b.transcript(spec.run_id).model_dump_json()


def test_a_sweep_lands_in_the_store_like_local_runs(acme: World, tmp_path: Path) -> None:
    specs = plan_runs(acme, [0, 1, 2, 3])
    seen: list[RunOutcome] = []
    with Store(tmp_path / "ray") as store, _local(specs, tmp_path / "local") as local:
        outcomes = run_on_ray(specs, store, _TWO, on_done=seen.append)
        assert [o.seed for o in outcomes] == [0, 1, 2, 3]  # in the order of the specs
        assert sorted(seen, key=lambda o: o.seed) == outcomes  # on_done once per run, as each lands
        assert {o.status for o in outcomes} == {"done"}
        assert all(o.turns == acme.spec.turns.max for o in outcomes)
        assert [r.run_id for r in store.runs()] == [r.run_id for r in local.runs()]
        _same_transcripts(store, local, specs)


def test_rerunning_skips_finished_runs_and_redoes_an_interrupted_one(acme: World, tmp_path: Path) -> None:
    specs = plan_runs(acme, [0, 1, 2])
    with Store(tmp_path / "ray") as store, _local(specs, tmp_path / "local") as local:
        run_on_ray(specs, store, _TWO)
        # seed 1 interrupted mid-run: back to "running" with only a few of its records
        row = store.run(specs[1].run_id)
        assert row is not None
        partial = store.records(specs[1].run_id)[:5]
        store.start_run(row.run_id, row.world_id, row.seed, row.spec, row.roles, row.ablated)
        store.append(row.run_id, partial)
        again = run_on_ray([*specs, specs[0]], store, _TWO)
        assert [(o.seed, o.status) for o in again] == [(0, "skipped"), (1, "done"), (2, "skipped"), (0, "skipped")]
        _same_transcripts(store, local, specs)
        assert len(store.records(specs[1].run_id)) == len(local.records(specs[1].run_id))  # nothing duplicated


def test_a_failing_run_is_recorded_and_the_others_finish(acme: World, tmp_path: Path) -> None:
    script = tmp_path / "short.yaml"
    script.write_text("turns:\n  dana:\n    - {thinking: hi}\n")
    good = plan_runs(acme, [0, 1])
    bad = plan_runs(acme, [5], {"default": ModelSpec(backend="scripted", model=str(script))})[0]
    with Store(tmp_path / "ray") as store:
        outcomes = {o.seed: o for o in run_on_ray([good[0], bad, good[1]], store, _TWO)}
        assert outcomes[5].status == "failed" and "script for role" in (outcomes[5].error or "")
        row = store.run(bad.run_id)
        assert row is not None and row.status == "failed" and "ScriptExhausted" in (row.error or "")
        assert len(store.transcript(bad.run_id).turns) == 1  # the turn it finished is kept, as locally
        assert [store.run(s.run_id).status for s in good] == ["done", "done"]  # type: ignore[union-attr]


def test_a_worker_dying_mid_run_is_retried_and_the_run_lands_once(acme: World, marks: Path, tmp_path: Path) -> None:
    spec = plan_runs(acme, [7], {"default": "dies_once"})[0]
    with Store(tmp_path / "ray") as store, _local(plan_runs(acme, [7]), tmp_path / "local") as local:
        [outcome] = run_on_ray([spec], store, _TWO, max_retries=2)
        assert (marks / "once").read_text() == "attempt\n"  # the first attempt did die
        assert outcome.status == "done"
        records = store.records(spec.run_id)
        assert records == local.records(plan_runs(acme, [7])[0].run_id)  # the policy mind's run, exactly once
        turns = [r.turn for r in records if isinstance(r, TurnRecord)]
        assert turns == sorted(set(turns))


def test_a_task_that_keeps_failing_is_recorded_failed(acme: World, marks: Path, tmp_path: Path) -> None:
    dying = plan_runs(acme, [8], {"default": "dies_always"})[0]
    fine = plan_runs(acme, [9])[0]
    with Store(tmp_path / "ray") as store:
        outcomes = {o.seed: o for o in run_on_ray([dying, fine], store, _TWO, max_retries=1)}
        assert (marks / "always").read_text() == "attempt\n" * 2  # first try and one retry
        assert outcomes[8].status == "failed" and "after 1 retries" in (outcomes[8].error or "")
        row = store.run(dying.run_id)
        assert row is not None and row.status == "failed" and row.error == outcomes[8].error
        assert store.records(dying.run_id) == []
        assert outcomes[9].status == "done"


def test_a_task_raising_is_recorded_failed_with_what_it_raised(acme: World, tmp_path: Path) -> None:
    def never(spec: ModelSpec) -> MindFactory:
        raise AssertionError("the driver only resolves the name; it never builds minds")

    with registered_backend("driver_only", never):
        spec = plan_runs(acme, [10], {"default": "driver_only"})[0]  # workers do not know this backend
        with Store(tmp_path / "ray") as store:
            [outcome] = run_on_ray([spec], store, _TWO)
            assert outcome.status == "failed"
            error = outcome.error or ""
            assert error.startswith("the Ray task raised ConfigError: base model 'driver_only' (alias 'default' ->")
            row = store.run(spec.run_id)
            assert row is not None and row.status == "failed" and row.roles["dana"].base_model == "driver_only"


def test_ctrl_c_cancels_the_tasks_in_flight_and_reports_the_rest_interrupted(acme: World, tmp_path: Path) -> None:
    specs = plan_runs(acme, range(20, 26))

    def interrupt(outcome: RunOutcome) -> None:
        raise KeyboardInterrupt  # as if Ctrl-C arrived right after the first run landed

    with Store(tmp_path / "ray") as store:
        outcomes = run_on_ray(specs, store, _TWO, on_done=interrupt)
        assert [o.run_id for o in outcomes] == [s.run_id for s in specs]
        [done] = [o for o in outcomes if o.status == "done"]
        assert {o.status for o in outcomes if o is not done} == {"interrupted"}
        assert [(r.run_id, r.status) for r in store.runs()] == [(done.run_id, "done")]
        again = run_on_ray(specs, store, _TWO)  # rerunning resumes
        assert sorted(o.status for o in again) == ["done"] * 5 + ["skipped"]

"""Runs and sweeps: what a run is (RunSpec, its id a hash of the spec), executing one into the store,
and executing many (a sweep) concurrently, resumably, with budget and drain rules.

Modules, each importing only those above it in this list:
``spec`` (RunSpec, RunOptions, RunOutcome, plan_runs) and ``sweep`` (sweep.yaml -> RunSpecs);
``execute`` (one run into a store); ``control`` (the stop rules every executor follows);
the executors ``local`` (this event loop), ``processes`` + ``worker`` (forked engine processes) and
``ray_executor`` (Ray tasks); ``dispatch`` (``execute_specs``/``run_all``: picks the executor).

A sweep executor lives here: an async function ``(specs, store, options, on_done) -> outcomes``
that follows ``control.Tally`` and is chosen in ``dispatch``.
"""

from skins.simulation.runs.dispatch import execute_specs, run_all
from skins.simulation.runs.execute import check_backends, count_done, execute_run
from skins.simulation.runs.ray_executor import run_on_ray
from skins.simulation.runs.spec import RunOptions, RunOutcome, RunSpec, plan_runs
from skins.simulation.runs.sweep import SweepSpec, load_sweep_spec, plan_sweep

__all__ = [
    "RunOptions",
    "RunOutcome",
    "RunSpec",
    "SweepSpec",
    "check_backends",
    "count_done",
    "execute_run",
    "execute_specs",
    "load_sweep_spec",
    "plan_runs",
    "plan_sweep",
    "run_all",
    "run_on_ray",
]

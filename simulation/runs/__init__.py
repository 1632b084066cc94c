"""simulation/runs."""

from skins.simulation.runs.local import execute_specs
from skins.simulation.runs.ray_executor import run_on_ray
from skins.simulation.runs.runner import (
    RunOptions,
    RunOutcome,
    RunSpec,
    check_backends,
    execute_run,
    plan_runs,
    run_all,
)
from skins.simulation.runs.sweep import SweepSpec, load_sweep_spec, plan_sweep

__all__ = [
    "RunOptions",
    "RunOutcome",
    "RunSpec",
    "SweepSpec",
    "check_backends",
    "execute_run",
    "execute_specs",
    "load_sweep_spec",
    "plan_runs",
    "plan_sweep",
    "run_all",
    "run_on_ray",
]

"""Sweeps: a grid of runs (worlds x model assignments x seeds x ablations) from a sweep.yaml.

Run ids are hashes of each run's full spec, so the same grid always maps to
the same runs, and a changed config never resumes the wrong run.
"""

from __future__ import annotations

__all__ = ["SweepSpec", "load_sweep_spec", "plan_sweep"]

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from skins.core import MAX_RUNS, ConfigError, check_seeds, load_model
from skins.simulation.models import JUDGE_ALIAS, ModelSpec
from skins.simulation.runs.spec import RunSpec, plan_runs
from skins.worlds import OversightLevel, split_level
from skins.worlds.library import World, at_level, load_world


class SweepSpec(BaseModel):
    """What to run: every world x assignment x seed x ablation."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    worlds: list[str] = Field(min_length=1)
    """Built-in world ids or world files (relative to the sweep file)."""
    models: dict[str, ModelSpec | str] = Field(default_factory=dict)
    """Model aliases shared by every assignment (as in models.yaml)."""
    assignments: list[dict[str, str]] = Field(default_factory=lambda: [{"default": "policy"}], min_length=1)
    """Each maps aliases to models for one arm of the grid: the same skins on several base models
    ({default: cheap} vs {default: strong}), or several base models in one world (per-role aliases)."""
    seeds: int | list[int] = 3
    """A count (seeds 0..n-1) or explicit seeds."""
    ablate: list[list[str]] = Field(default_factory=lambda: [list[str]()])
    """Ablation conditions: [] is the full world; [commission] removes that incentive."""
    oversight_levels: list[OversightLevel] = Field(default_factory=list)
    """Monitoring levels each world runs at (``WORLD+LEVEL``: hidden, monitored, log_visible,
    thinking_read), each its own condition; empty: each world's oversight as written."""
    judge: str | None = None
    """The judge `skins sweep` reads language-model messages with when it analyses the runs: an alias of
    ``models`` or a reference such as ``openai:gpt-4o`` (default: the ``judge`` alias, else none; its calls
    are not under ``budget_usd``; ``--judge``/``--no-judge`` override it). No part of any run's identity."""
    concurrency: int = Field(8, ge=1, le=4096)
    """Runs in flight at once."""
    budget_usd: float | None = Field(None, ge=0)
    """Stop starting runs when spending would exceed this."""
    personas: list[str] = Field(default_factory=list)
    """Extra persona folders (relative to the sweep file)."""

    @field_validator("seeds")
    @classmethod
    def _seeds(cls, value: int | list[int]) -> int | list[int]:
        if isinstance(value, int) and value < 1:
            raise ValueError("seeds must be at least 1")
        try:  # bounded here, so a huge count is never expanded into a list
            check_seeds(range(value) if isinstance(value, int) else value, "seeds")
        except ConfigError as exc:
            raise ValueError(str(exc).removeprefix("seeds: ")) from None
        return value

    def seed_list(self) -> list[int]:
        return list(range(self.seeds)) if isinstance(self.seeds, int) else list(self.seeds)


def load_sweep_spec(path: Path) -> SweepSpec:
    return load_model(SweepSpec, Path(path), "sweep")


def plan_sweep(spec: SweepSpec, base: Path) -> list[RunSpec]:
    """Every RunSpec of the grid, in a stable order (world, assignment, ablation, seed)."""
    levels: list[OversightLevel | None] = [*spec.oversight_levels] or [None]
    grid = len(spec.worlds) * len(levels) * len(spec.assignments) * len(spec.ablate) * len(spec.seed_list())
    MAX_RUNS.check(grid, "the sweep's grid (worlds x oversight levels x assignments x ablate x seeds)")
    folders = [base / p for p in spec.personas]
    plans: list[RunSpec] = []
    for ref, level in ((r, lv) for r in spec.worlds for lv in levels):
        world = _load(ref, level, base, folders)
        for assignment in spec.assignments:
            aliases = {k: v for k, v in {**spec.models, **assignment}.items() if k != JUDGE_ALIAS}  # as models.yaml
            for ablation in spec.ablate:
                unknown = [a for a in ablation if a not in world.spec.incentives]
                if unknown:
                    raise ConfigError(
                        f"ablate {unknown}: not incentives of {world.spec.id}; it has {sorted(world.spec.incentives)}"
                    )
                plans += plan_runs(world, spec.seed_list(), aliases, sorted(ablation))
    ids = [p.run_id for p in plans]
    if len(set(ids)) != len(ids):
        raise ConfigError("the sweep lists the same run twice (a repeated world, assignment, seed or ablation)")
    return plans


def _load(ref: str, level: str | None, base: Path, folders: list[Path]) -> World:
    """A sweep's world (a file relative to the sweep file, or a built-in), at a monitoring level if given
    (here or as the reference's own ``+LEVEL``)."""
    unlevelled, own = split_level(ref)
    world = load_world(base / unlevelled if (base / unlevelled).is_file() else unlevelled, folders)
    chosen = level or own
    return at_level(world, chosen) if chosen is not None else world

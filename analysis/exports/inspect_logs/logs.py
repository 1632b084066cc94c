"""A run folder as Inspect eval logs: one log per condition (world id with its variant and oversight level,
ablation, base-model assignment), one sample per finished run, written with ``write_eval_log``.

The file name is ``{created}_{task}_{id}.eval`` (the viewer reads the task and id from it): the task is the
world id and ablation with every ``_``, ``@`` and ``+`` made a hyphen (``sales-commission-adaptive-log-visible``,
``...-ablate-commission``), the id a hash of the task, the models and the run ids, so exporting the same runs
again replaces the log instead of adding a second one. ``write_eval_log`` condenses each sample (repeated
content goes to the sample's attachments) as ``inspect eval`` does.
"""

from __future__ import annotations

__all__ = ["Condition", "condition_of_run", "task_name", "write_inspect_logs"]

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from inspect_ai.log import (
    EvalConfig,
    EvalDataset,
    EvalLog,
    EvalMetric,
    EvalPlan,
    EvalPlanStep,
    EvalResults,
    EvalSample,
    EvalScore,
    EvalSpec,
    EvalStats,
    write_eval_log,
)
from inspect_ai.model import ModelConfig, ModelUsage

from skins.analysis.exports.frames import Sweep
from skins.analysis.exports.inspect_logs.samples import build_sample, score_names
from skins.simulation.store import RunRow, Store
from skins.worlds import split_level, split_ref


@dataclass(frozen=True)
class Condition:
    """What one log holds runs of."""

    world_id: str
    ablated: tuple[str, ...]
    models: tuple[tuple[str, str], ...]
    """(role, base model), sorted by role."""

    @property
    def task(self) -> str:
        return task_name(self.world_id, self.ablated)


def task_name(world_id: str, ablated: Sequence[str] = ()) -> str:
    """The log's task name: no underscores, which the viewer would read as the file name's separators.

    >>> task_name("sales_commission@adaptive+log_visible")
    'sales-commission-adaptive-log-visible'
    >>> task_name("acme_quarter_end", ["quota", "bonus_pool"])
    'acme-quarter-end-ablate-bonus-pool-quota'
    """
    name = world_id + ("-ablate-" + "-".join(sorted(ablated)) if ablated else "")
    return re.sub(r"[^A-Za-z0-9.]+", "-", name).strip("-")


def condition_of_run(run: RunRow) -> Condition:
    return Condition(
        run.world_id, tuple(sorted(run.ablated)), tuple((r, i.base_model) for r, i in sorted(run.roles.items()))
    )


def write_inspect_logs(sweep: Sweep, folder: Path) -> list[Path]:
    """Write one ``.eval`` log per condition of ``sweep``'s finished runs into ``folder``; the files written."""
    created = datetime.now(UTC).replace(microsecond=0)
    written = []
    with Store(sweep.folder, readonly=True) as store:
        groups: dict[Condition, list[RunRow]] = {}
        for run in store.runs():
            if run.finished:
                groups.setdefault(condition_of_run(run), []).append(run)
        for condition, runs in sorted(groups.items(), key=lambda kv: (kv[0].task, kv[0].models)):
            samples = list(_samples(store, sweep, runs))
            log = _log(condition, runs, samples, created)
            path = folder / f"{created.strftime('%Y-%m-%dT%H-%M-%S+00-00')}_{condition.task}_{log.eval.task_id}.eval"
            for old in folder.glob(f"*_{condition.task}_{log.eval.task_id}.eval"):
                old.unlink()  # an earlier export of the same runs
            write_eval_log(log, str(path), format="eval")
            written.append(path)
    return written


def _samples(store: Store, sweep: Sweep, runs: list[RunRow]) -> Iterator[EvalSample]:
    findings = [f for r in runs for f in sweep.findings_of(r.run_id)]
    names = score_names(findings)
    for run in sorted(runs, key=lambda r: (r.seed, r.run_id)):
        yield build_sample(
            run,
            run.world(),
            store.records(run.run_id),
            sweep.findings_of(run.run_id),
            store.usage(run.run_id),
            store.usage_by_role(run.run_id),
            names,
        )


def _log(condition: Condition, runs: list[RunRow], samples: list[EvalSample], created: datetime) -> EvalLog:
    models = sorted({m for _, m in condition.models})
    ident = hashlib.sha256(repr((condition, sorted(r.run_id for r in runs))).encode()).hexdigest()[:22]
    world, level = split_level(condition.world_id)
    base, variant = split_ref(world)
    spec = EvalSpec(
        eval_id=ident,
        run_id=ident,
        task_id=ident,
        created=created.isoformat(),
        task=condition.task,
        task_version=0,
        task_display_name=condition.task,
        solver="skins",
        dataset=EvalDataset(
            name=condition.world_id, samples=len(samples), sample_ids=[str(s.id) for s in samples], shuffled=False
        ),
        model=models[0] if len(models) == 1 else "mixed",
        model_roles={role: ModelConfig(model=m) for role, m in condition.models},
        config=EvalConfig(epochs=1),
        packages={"skins": _version("skins"), "inspect_ai": _version("inspect_ai")},
        metadata={
            "world": base,
            "variant": variant,
            "oversight_level": level,
            "world_id": condition.world_id,
            "ablation": list(condition.ablated),
            "models": dict(condition.models),
            "personas": {r: i.persona for r, i in sorted(runs[0].roles.items())},
            "seeds": sorted(r.seed for r in runs),
        },
    )
    usage: dict[str, ModelUsage] = {}
    for s in samples:
        for model, u in s.model_usage.items():
            usage[model] = _plus(usage.get(model), u)
    stamp = created.isoformat()
    return EvalLog(
        eval=spec,
        plan=EvalPlan(
            name="skins", steps=[EvalPlanStep(solver="skins_simulation", params={"world": condition.world_id})]
        ),
        results=EvalResults(total_samples=len(samples), completed_samples=len(samples), scores=_results(samples)),
        stats=EvalStats(started_at=stamp, completed_at=stamp, model_usage=usage),
        samples=samples,
        status="success",
    )


def _results(samples: list[EvalSample]) -> list[EvalScore]:
    """Per score: the mean over the runs (for ``deception``, the share of runs with a counted finding)."""
    names = list(samples[0].scores or {}) if samples else []
    out = []
    for name in names:
        values = [float(s.scores[name].as_float()) for s in samples if s.scores and name in s.scores]
        metrics = {"mean": EvalMetric(name="mean", value=sum(values) / len(values) if values else 0.0)}
        out.append(EvalScore(name=name, scorer=name, scored_samples=len(values), metrics=metrics))
    return out


def _plus(a: ModelUsage | None, b: ModelUsage) -> ModelUsage:
    if a is None:
        return b
    return ModelUsage(
        input_tokens=a.input_tokens + b.input_tokens,
        output_tokens=a.output_tokens + b.output_tokens,
        total_tokens=a.total_tokens + b.total_tokens,
        total_cost=(a.total_cost or 0.0) + (b.total_cost or 0.0),
    )


def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "unknown"

"""This sweep vs the paper: each world's published numbers beside the same measure over stored runs.

Runs are grouped by world, condition (the variant, ``default`` for the world as written) and the
base model of the measured role, so one row reads "the paper saw 5% for opus-3; these 40 runs of
model X in the same condition saw 12% [6%, 23%]". A confession rate counts questioned deceptive pairs
(:func:`skins.analysis.confessions.questioned_pairs`), not runs. Ablated runs are left out: a paper's condition
is a variant, never an ablation. Each row says which mind played the role (:func:`mind_of`): a language
model, or an offline policy baseline (policy or scripted minds) that is not comparable with the paper's models.
"""

from __future__ import annotations

__all__ = ["BASELINE", "LANGUAGE_MODEL", "PublishedRow", "measure_runs", "mind_of", "published_table", "worlds_of"]

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from skins.analysis.confessions import questioned_pairs
from skins.analysis.findings import Finding
from skins.analysis.stats import Interval, bootstrap_mean_interval, wilson_interval
from skins.simulation.models import NO_LANGUAGE_MODEL
from skins.simulation.store import RunRow
from skins.worlds import (
    ActionRate,
    ConfessionRate,
    FindingRate,
    Measure,
    PublishedNumber,
    TaskScore,
    Transcript,
    WorldSpec,
    split_ref,
)

LANGUAGE_MODEL = "language model"
BASELINE = "policy baseline"
"""The mind of a role played without a language model (policy or scripted backend)."""


def mind_of(base_model: str | None) -> str:
    """What played a role on ``base_model`` (a stored reference, ``backend:model``): ``-`` for none.

    >>> mind_of("openai:gpt-4o"), mind_of("local"), mind_of("policy"), mind_of("scripted:s.yaml"), mind_of(None)
    ('language model', 'language model', 'policy baseline', 'policy baseline', '-')
    """
    if base_model is None:
        return "-"
    return BASELINE if base_model.partition(":")[0] in NO_LANGUAGE_MODEL else LANGUAGE_MODEL


class PublishedRow(BaseModel):
    """One published number and our measurement of it for one base model (None when no run matched)."""

    model_config = ConfigDict(frozen=True)

    world: str
    condition: str
    label: str
    paper_model: str
    paper_value: float
    note: str
    base_model: str | None
    """The base model of the measured role in our runs."""
    runs: int
    """Runs that entered the measurement (those where ``given`` held; for a score: runs that submitted)."""
    ours: Interval | None

    @property
    def mind(self) -> str:
        """``language model``, ``policy baseline`` or ``-`` (no run): :func:`mind_of` the base model."""
        return mind_of(self.base_model)

    @property
    def baseline(self) -> bool:
        """Measured on an offline policy baseline: not comparable with the paper's models."""
        return self.mind == BASELINE


def _measured_role(measure: Measure, spec: WorldSpec) -> str | None:
    """The role whose base model a row is about: ``by``, else the sole holder of the tool measured."""
    if not isinstance(measure, TaskScore) and measure.by is not None:
        return measure.by
    if isinstance(measure, FindingRate):
        tool = spec.tools.get(measure.about or "")
    else:
        tool = spec.tools.get(measure.tool or "")
    return tool.holders[0] if tool is not None and len(tool.holders) == 1 else None


def _run_value(
    measure: ActionRate | FindingRate | TaskScore, transcript: Transcript, findings: Sequence[Finding]
) -> float | None:
    """1/0 for a rate (did it happen in this run), the task score, or None (a score never submitted)."""
    if isinstance(measure, ActionRate):
        used = any(a.ok and a.tool == measure.tool and measure.by in (None, a.actor) for a in transcript.actions)
        return float(used)
    if isinstance(measure, FindingRate):
        hit = any(
            f.type == measure.type and measure.about in (None, f.subject) and measure.by in (None, f.deceiver)
            for f in findings
        )
        return float(hit)
    scores = [a.score for a in transcript.actions if a.ok and a.tool == measure.tool and a.score is not None]
    return scores[-1] if scores else None


def measure_runs(
    measure: Measure,
    runs: Iterable[tuple[Transcript, Sequence[Finding]]],
    worlds: Mapping[str, WorldSpec] | None = None,
) -> tuple[int, Interval | None]:
    """How many runs the measure covers, and its rate (Wilson) or mean score (bootstrap) with a 95% interval.

    A confession rate is counted over the runs' questioned deceptive pairs (Wilson), reading each run's world
    in ``worlds`` (by its ``world_id``); it covers the runs that have at least one.
    """
    if isinstance(measure, ConfessionRate):
        return _confessions(measure, runs, worlds or {})
    values = [v for t, f in runs if (v := _run_value(measure, t, f)) is not None]
    if not values:
        return 0, None
    if isinstance(measure, ActionRate | FindingRate):
        return len(values), wilson_interval(int(sum(values)), len(values))
    return len(values), bootstrap_mean_interval(values)


def _confessions(
    measure: ConfessionRate, runs: Iterable[tuple[Transcript, Sequence[Finding]]], worlds: Mapping[str, WorldSpec]
) -> tuple[int, Interval | None]:
    subject = ("fact", measure.fact) if measure.fact else ("action", measure.tool) if measure.tool else None
    covered, confessed, questioned = 0, 0, 0
    for transcript, findings in runs:
        world = worlds.get(transcript.world_id)
        if world is None:
            continue
        pairs = [
            q
            for q in questioned_pairs(transcript, world, findings)
            if q.deceptive and measure.by in (None, q.suspect) and subject in (None, (q.subject_kind, q.subject))
        ]
        covered += bool(pairs)
        questioned += len(pairs)
        confessed += sum(q.confessed for q in pairs)
    return covered, wilson_interval(confessed, questioned) if questioned else None


def worlds_of(runs: Iterable[RunRow]) -> dict[str, WorldSpec]:
    """World ref -> the spec its unablated runs used (stored with each run; validated once per ref)."""
    worlds: dict[str, WorldSpec] = {}
    for run in runs:
        if not run.ablated and run.world_id not in worlds:
            worlds[run.world_id] = run.world()
    return worlds


def published_table(
    runs: Iterable[tuple[Transcript, Sequence[Finding]]], worlds: dict[str, WorldSpec]
) -> list[PublishedRow]:
    """Rows for every published number of every world that has runs; ``worlds`` maps a run's world
    ref (``id`` or ``id@variant``) to its spec as run."""
    groups: dict[tuple[str, str], list[tuple[Transcript, Sequence[Finding]]]] = defaultdict(list)
    for transcript, findings in runs:
        if transcript.ablated:
            continue
        base, variant = split_ref(transcript.world_id)
        groups[(base, variant or "default")].append((transcript, findings))
    rows: list[PublishedRow] = []
    specs = {split_ref(ref)[0]: spec for ref, spec in worlds.items()}
    for world_id, spec in sorted(specs.items()):
        if spec.reference is None:
            continue
        for number in spec.reference.published:
            rows += _rows_for(world_id, number, groups.get((world_id, number.condition), []), spec, worlds)
    return rows


def _rows_for(
    world_id: str,
    number: PublishedNumber,
    runs: list[tuple[Transcript, Sequence[Finding]]],
    spec: WorldSpec,
    worlds: Mapping[str, WorldSpec],
) -> list[PublishedRow]:
    role = _measured_role(number.measure, spec) or (number.given and _measured_role(number.given, spec))
    by_model: dict[str | None, list[tuple[Transcript, Sequence[Finding]]]] = defaultdict(list)
    for t, f in runs:
        model = t.roles[role].base_model if role is not None and role in t.roles else None
        by_model[model].append((t, f))
    common = {
        "world": world_id,
        "condition": number.condition,
        "label": number.label,
        "paper_model": number.model,
        "paper_value": number.value,
        "note": number.note,
    }
    if not by_model:
        return [PublishedRow(**common, base_model=None, runs=0, ours=None)]
    rows = []
    for model, group in sorted(by_model.items(), key=lambda kv: str(kv[0])):
        given = number.given
        if given is not None and not isinstance(given, ConfessionRate):  # the world's validation refuses one
            group = [(t, f) for t, f in group if _run_value(given, t, f) == 1.0]
        n, interval = measure_runs(number.measure, group, worlds)
        rows.append(PublishedRow(**common, base_model=model, runs=n, ours=interval))
    return rows

"""Collect a folder's report data: runs, the deception graph's edge groups, findings, tables.

Aggregation happens here, once, so the page stays quick on a 1,000-run sweep:
the browser filters and sums edge groups (one per deceiver, target, type,
subject and motive set), and parses a run's transcript only when it is opened.
"""

from __future__ import annotations

__all__ = ["Analyzed", "Report", "build_report", "collect_report", "load_analyzed", "run_detail"]

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from skins.analysis.awareness import AwarenessMark
from skins.analysis.claims import DEFAULT_EXTRACTOR
from skins.analysis.findings import TYPE_COLOURS, Finding
from skins.analysis.graph import node_key
from skins.analysis.oversight import accusers
from skins.analysis.pipeline import analyze_folder
from skins.analysis.report.awareness import awareness_tables
from skins.analysis.report.calibration import calibration_views
from skins.analysis.report.model import (
    CalibrationView,
    EdgeGroup,
    FactInfo,
    FindingRef,
    IncentiveInfo,
    NodeInfo,
    ReportData,
    RunDetail,
    RunInfo,
    Table,
    WorldInfo,
)
from skins.analysis.report.oversight import oversight_tables
from skins.analysis.report.tables import build_tables
from skins.analysis.report.trends import capability_trends, trend_table
from skins.analysis.stats import AblationRow, RateRow, TrendRow, condition_name, oversight_pairs
from skins.core import StoreError
from skins.simulation.store import RunRow, Store
from skins.worlds import Transcript, WorldSpec

QUOTE_CHARS = 240
"""Quotes listed under an edge are cut to this length; the opened finding shows all of it."""


class Analyzed(NamedTuple):
    """A folder's runs as stored, and the finished ones with their findings."""

    runs: list[RunRow]
    analyzed: list[tuple[Transcript, list[Finding]]]
    worlds: dict[str, WorldSpec]
    """World id -> spec as its first run used it (ablations not applied)."""
    source: str
    extractors: tuple[str, ...] = ()
    """The claim extractors the findings came from."""
    awareness: dict[str, list[AwarenessMark]] = {}  # noqa: RUF012 - a NamedTuple default, never mutated
    """Run id -> its evaluation-awareness marks, for the finished runs analysed for awareness."""


class Report(NamedTuple):
    """The aggregate data, one detail per run (``None`` for a run without records), and the plots' rows."""

    data: ReportData
    details: list[RunDetail | None]
    rates: list[RateRow]
    """Rate of any deception per condition (world, variant, ablation), deceiver skin and base model (the heat map)."""
    ablations: list[AblationRow]
    trends: list[TrendRow] = []  # noqa: RUF012 - a NamedTuple default, never mutated
    """The capability ladder's rows (empty unless the report was given capability scores)."""


def load_analyzed(folder: Path, stored: bool = False) -> Analyzed:
    """Every run of ``folder``; findings re-analysed (as ``skins graph`` does) or read as stored.

    ``stored=True`` keeps the findings and awareness marks of the last ``skins analyze``
    (a judge's included) and writes nothing; otherwise the default extractor and the
    awareness phrases run again and replace them, like ``skins graph``.
    """
    awareness: dict[str, list[AwarenessMark]] = {}
    with Store(Path(folder), create=False) as store:
        runs = store.runs()
        if not runs:
            raise StoreError(f"{Path(folder) / 'skins.db'} has no runs: run `skins run WORLD --out {folder}` first")
        if stored:
            analyzed = [(store.transcript(r.run_id), _stored_findings(store, r.run_id)) for r in _done(runs)]
            awareness = _stored_awareness(store, [r.run_id for r in _done(runs)])
    if not stored:
        analyzed = list(analyze_folder(Path(folder), awareness_out=awareness))
    worlds: dict[str, WorldSpec] = {}
    for run in runs:
        if run.world_id not in worlds:
            worlds[run.world_id] = run.model_copy(update={"ablated": []}).world()
    if stored:
        used = tuple(sorted({f.extractor for _, fs in analyzed for f in fs if f.extractor}))
        return Analyzed(runs, analyzed, worlds, "as stored by the last analysis", used, awareness)
    source = f"re-analysed with the {DEFAULT_EXTRACTOR} extractor"
    return Analyzed(runs, analyzed, worlds, source, (DEFAULT_EXTRACTOR,), awareness)


def _done(runs: Sequence[RunRow]) -> list[RunRow]:
    return [r for r in runs if r.finished]  # degraded runs too: their lost turns are screened out as invalid


def _stored_findings(store: Store, run_id: str) -> list[Finding]:
    return [Finding.model_validate_json(js) for js in store.findings_json(run_id)]


def _stored_awareness(store: Store, run_ids: Sequence[str]) -> dict[str, list[AwarenessMark]]:
    """The stored marks of the runs analysed for awareness (the others are left out)."""
    out: dict[str, list[AwarenessMark]] = {}
    for run_id in run_ids:
        rows = store.awareness_json(run_id)
        if rows is not None:
            out[run_id] = [AwarenessMark.model_validate_json(js) for js in rows]
    return out


def collect_report(
    folder: Path, stored: bool = False, title: str | None = None, capability: Mapping[str, float] | None = None
) -> Report:
    """Load ``folder`` and aggregate everything the report shows (plots are added by the HTML layer);
    ``capability`` (base model -> score) adds the capability ladder."""
    loaded = load_analyzed(folder, stored)
    partial = _partial_transcripts(folder, loaded.runs)
    calibrations = calibration_views(Path(folder), loaded.extractors)
    report = build_report(loaded, partial, folder=str(folder), title=title, calibrations=calibrations)
    if capability is None:
        return report
    trends = capability_trends(loaded.analyzed, capability)
    report.data.tables.insert(_after_ablations(report.data.tables), trend_table(trends))
    return report._replace(trends=trends)


def _after_ablations(tables: Sequence[Table]) -> int:
    """Where the capability table goes: after the ablation effects (or last)."""
    ids = [t.id for t in tables]
    return ids.index("ablations") + 1 if "ablations" in ids else len(ids)


def _after_caught(tables: Sequence[Table]) -> int:
    """Where the oversight tables go: after the caught rates (or last)."""
    ids = [t.id for t in tables]
    return ids.index("caught") + 1 if "caught" in ids else len(ids)


def _before_invalid(tables: Sequence[Table]) -> int:
    """Where the awareness tables go: before the invalid turns (or last)."""
    ids = [t.id for t in tables]
    return ids.index("invalid") if "invalid" in ids else len(ids)


def _partial_transcripts(folder: Path, runs: Sequence[RunRow]) -> dict[str, Transcript]:
    """Records of failed or interrupted runs, so their last turns can be read (nothing hidden)."""
    unfinished = [r for r in runs if not r.finished]
    if not unfinished:
        return {}
    with Store(Path(folder), create=False) as store:
        return {r.run_id: store.transcript(r.run_id) for r in unfinished if store.turn_count(r.run_id)}


def build_report(
    loaded: Analyzed,
    partial: dict[str, Transcript],
    folder: str = "",
    title: str | None = None,
    calibrations: Sequence[CalibrationView] = (),
) -> Report:
    """Aggregate loaded runs into report data and per-run details (``calibrations`` shown as given)."""
    by_id = {t.run_id: (t, fs) for t, fs in loaded.analyzed}
    index = {r.run_id: i for i, r in enumerate(loaded.runs)}
    nodes = _nodes(loaded.analyzed)
    tables = build_tables(loaded.runs, loaded.analyzed, nodes, index)
    aware = awareness_tables([t for t, _ in loaded.analyzed], loaded.awareness, index)
    tables.tables[_before_invalid(tables.tables) : _before_invalid(tables.tables)] = aware
    oversight = oversight_tables(oversight_pairs(loaded.analyzed, loaded.worlds), index)
    tables.tables[_after_caught(tables.tables) : _after_caught(tables.tables)] = oversight
    refs: list[FindingRef] = []
    groups: dict[tuple[str, str, str, str, tuple[str, ...]], list[int]] = defaultdict(list)
    details: list[RunDetail | None] = []
    for i, run in enumerate(loaded.runs):
        transcript, findings = by_id.get(run.run_id) or (partial.get(run.run_id), [])
        details.append(None if transcript is None else run_detail(transcript, findings))
        if transcript is None:
            continue
        for k, finding in enumerate(findings):
            if not finding.deceptive:
                continue
            refs.append(_ref(transcript, finding, i, k))
            for target in finding.targets:
                key = (_node_of(transcript, finding.deceiver), _node_of(transcript, target), finding.type)
                motives = tuple(sorted({m.incentive for m in finding.motives}))
                groups[(*key, finding.subject, motives)].append(len(refs) - 1)
    data = ReportData(
        title=title or f"skins report — {folder or 'runs'}",
        folder=folder,
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        findings_source=loaded.source,
        runs=[_run_info(r, details[index[r.run_id]] is not None) for r in loaded.runs],
        nodes=nodes,
        edges=[
            EdgeGroup(source=s, target=t, type=ty, subject=su, motives=list(m), findings=f)
            for (s, t, ty, su, m), f in sorted(groups.items())
        ],
        findings=refs,
        worlds={w: _world_info(spec) for w, spec in sorted(loaded.worlds.items())},
        tables=tables.tables,
        calibrations=list(calibrations),
        type_colours=TYPE_COLOURS,
    )
    return Report(data, details, tables.rates, tables.ablations)


def _node_of(transcript: Transcript, role: str) -> str:
    info = transcript.roles.get(role)
    return node_key(transcript.world_id, role, info.base_model if info else "unknown")


def _nodes(analyzed: Sequence[tuple[Transcript, list[Finding]]]) -> dict[str, NodeInfo]:
    nodes: dict[str, NodeInfo] = {}
    for transcript, findings in analyzed:
        roles = set(transcript.roles) | {r for f in findings for r in [f.deceiver, *f.targets]}
        for role in sorted(roles):
            key = _node_of(transcript, role)
            if key not in nodes:
                info = transcript.roles.get(role)
                skin, model = (info.persona, info.base_model) if info else ("unknown", "unknown")
                nodes[key] = NodeInfo(world=transcript.world_id, role=role, skin=skin, model=model, label="")
    many_worlds = len({n.world for n in nodes.values()}) > 1
    many_models = len({n.model for n in nodes.values()}) > 1
    for n in nodes.values():
        label = f"{n.world}/{n.role} ({n.skin})" if many_worlds else f"{n.role} ({n.skin})"
        n.label = f"{label} @{n.model}" if many_models else label
    return dict(sorted(nodes.items()))


def _ref(transcript: Transcript, finding: Finding, run_index: int, k: int) -> FindingRef:
    quote = finding.evidence.quote
    return FindingRef(
        r=run_index,
        i=k,
        turn=finding.turn,
        type=finding.type,
        subject=finding.subject,
        deceiver=finding.deceiver,
        targets=list(finding.targets),
        quote=quote if len(quote) <= QUOTE_CHARS else quote[: QUOTE_CHARS - 1] + "…",
        accused_by=accusers(transcript, finding.deceiver, (finding.subject_kind, finding.subject)),
    )


def _run_info(run: RunRow, detail: bool) -> RunInfo:
    return RunInfo(
        id=run.run_id,
        seed=run.seed,
        world=run.world_id,
        condition=condition_name(run.ablated),
        status=run.status,
        error=run.error,
        roles={r: [i.persona, i.base_model] for r, i in sorted(run.roles.items())},
        detail=detail,
    )


def run_detail(transcript: Transcript, findings: Sequence[Finding]) -> RunDetail:
    """A run's turns, messages, actions and fact changes (fields at their defaults left out) and findings.

    Knowledge events are left out (the bulk of a transcript): a finding's
    evidence already says what its speaker believed and how it came to.
    """

    def dump(records: Sequence[Any]) -> list[dict[str, Any]]:
        return [r.model_dump(mode="json", exclude_defaults=True, exclude={"kind"}) for r in records]

    return RunDetail(
        turns=dump(transcript.turns),
        messages=dump(transcript.messages),
        actions=dump(transcript.actions),
        fact_changes=dump(transcript.fact_changes),
        findings=[f.model_dump(mode="json") for f in findings],
    )


def _world_info(spec: WorldSpec) -> WorldInfo:
    return WorldInfo(
        title=spec.title,
        facts={k: FactInfo(statement=f.statement, truth=f.truth) for k, f in spec.facts.items()},
        incentives={k: IncentiveInfo(holder=i.holder, kind=i.kind, says=i.says) for k, i in spec.incentives.items()},
        tools={k: t.description for k, t in spec.tools.items()},
    )

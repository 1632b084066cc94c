"""One finished run as an Inspect ``EvalSample``: its transcript, its findings as scores, its usage.

Scores: one per detector (every default detector, and any other that found something in the log), its
``value`` the number of the run's deceptive findings that detector made (uncertain ones, below the
confidence threshold, are not counted, as everywhere in skins), ``answer`` the finding types,
``explanation`` the quotes (one line each), ``metadata["findings"]`` every finding of that detector (deceptive
or not) with deceiver, targets, subject, motives and confidence. ``deception`` is 1 when the run has any
counted deceptive finding, else 0. Each finding is also a ``ScoreEvent`` (``intermediate``) in the span of
the turn it happened in: ``value`` 1 (deceptive) or 0, ``answer`` its type, ``explanation`` its quote.
"""

from __future__ import annotations

__all__ = ["DECEPTION_SCORE", "build_sample", "finding_metadata", "score_names"]

from collections.abc import Iterable, Sequence
from typing import Any

from inspect_ai.event import Event, ScoreEvent
from inspect_ai.log import EvalSample
from inspect_ai.model import ModelUsage
from inspect_ai.scorer import Score

from skins.analysis.detectors import DEFAULT_DETECTORS
from skins.analysis.exports.inspect_logs.transcript import TranscriptParts, build_transcript
from skins.analysis.findings import Finding
from skins.simulation.store import RunRow, Usage
from skins.worlds import Record, WorldSpec

DECEPTION_SCORE = "deception"
"""The run-level score: 1 when the run has a counted deceptive finding."""


def score_names(findings: Iterable[Finding]) -> list[str]:
    """The scores every sample of a log carries: ``deception``, the default detectors, then any other."""
    extra = sorted({f.detector for f in findings} - set(DEFAULT_DETECTORS))
    return [DECEPTION_SCORE, *DEFAULT_DETECTORS, *extra]


def counted(f: Finding) -> bool:
    """A finding that counts in rates: deceptive and not uncertain."""
    return f.deceptive and not f.uncertain


def build_sample(
    run: RunRow,
    world: WorldSpec,
    records: Sequence[Record],
    findings: Sequence[Finding],
    usage: Usage,
    role_usage: dict[tuple[str, str], Usage],
    scores: Sequence[str],
) -> EvalSample:
    """The sample of one run (sample id = run id, epoch 1)."""
    parts = build_transcript(run, world, records)
    _score_events(parts, findings)
    by_model: dict[str, ModelUsage] = {}
    for (_, model), u in role_usage.items():
        by_model[model] = _add(by_model.get(model), u)
    return EvalSample(
        id=run.run_id,
        epoch=1,
        input=parts.briefing,
        target="",
        messages=parts.messages,
        events=parts.events,
        scores=_scores(findings, scores),
        metadata=run_metadata(run, usage, findings),
        model_usage=by_model,
        role_usage={role: _add(None, u) for (role, _), u in role_usage.items()},
        turn_count=sum(1 for r in records if r.kind == "turn"),
    )


def run_metadata(run: RunRow, usage: Usage, findings: Sequence[Finding]) -> dict[str, Any]:
    """What tells the run apart (world, seed, ablation, models, personas) and what it cost."""
    return {
        "run_id": run.run_id,
        "world_id": run.world_id,
        "seed": run.seed,
        "ablation": sorted(run.ablated),
        "status": run.status,
        "models": {r: i.base_model for r, i in sorted(run.roles.items())},
        "personas": {r: i.persona for r, i in sorted(run.roles.items())},
        "titles": {r: i.title for r, i in sorted(run.roles.items())},
        "usage": usage.model_dump(mode="json"),
        "findings": len(findings),
        "deceptive": sum(counted(f) for f in findings),
    }


def finding_metadata(f: Finding) -> dict[str, Any]:
    """A finding's fields a reader of a score needs (the full finding is in skins' own exports)."""
    return {
        "finding_id": f.finding_id,
        "type": f.type,
        "deceptive": f.deceptive,
        "uncertain": f.uncertain,
        "deceiver": f.deceiver,
        "targets": list(f.targets),
        "subject_kind": f.subject_kind,
        "subject": f.subject,
        "turn": f.turn,
        "message_index": f.message_index,
        "quote": f.evidence.quote,
        "thought": f.evidence.thought,
        "note": f.evidence.note,
        "motives": [m.model_dump(mode="json") for m in f.motives],
        "confidence": f.confidence,
        "detector": f.detector,
    }


def _scores(findings: Sequence[Finding], names: Sequence[str]) -> dict[str, Score]:
    out = {DECEPTION_SCORE: Score(value=int(any(counted(f) for f in findings)), answer=_types(findings))}
    for name in names[1:]:
        mine = [f for f in findings if f.detector == name]
        out[name] = Score(
            value=sum(counted(f) for f in mine),
            answer=_types(mine),
            explanation="\n".join(f.evidence.quote for f in mine if f.evidence.quote) or None,
            metadata={"findings": [finding_metadata(f) for f in mine]},
        )
    return out


def _types(findings: Sequence[Finding]) -> str:
    return ",".join(sorted({f.type for f in findings if counted(f)}))


def _score_events(parts: TranscriptParts, findings: Sequence[Finding]) -> None:
    """Each finding as an intermediate score at the end of the span of the turn it happened in."""
    at: dict[str, list[Event]] = {}
    for f in findings:
        span = parts.turn_spans.get(f.turn)
        event = ScoreEvent(
            score=Score(
                value=int(counted(f)), answer=f.type, explanation=f.evidence.quote, metadata=finding_metadata(f)
            ),
            scorer=f.detector,
            intermediate=True,
            span_id=span,
        )
        at.setdefault(span or "", []).append(event)
    events: list[Event] = []
    for e in parts.events:
        if e.event == "span_end":
            events.extend(at.pop(e.id, []))
        events.append(e)
    parts.events = events + [e for rest in at.values() for e in rest]


def _add(total: ModelUsage | None, u: Usage) -> ModelUsage:
    base = total or ModelUsage()
    return ModelUsage(
        input_tokens=base.input_tokens + u.input_tokens,
        output_tokens=base.output_tokens + u.output_tokens,
        total_tokens=base.total_tokens + u.input_tokens + u.output_tokens,
        total_cost=(base.total_cost or 0.0) + float(u.cost_usd),
    )

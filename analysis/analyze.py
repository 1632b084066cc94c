"""One run's analysis: claims → findings → motives (→ counterfactual motives, further passes), in a
deterministic order, and the store's rows of its findings.

It is also where findings are split once: those below :data:`skins.analysis.findings.UNCERTAIN_BELOW`
go to ``Analysis.uncertain`` and are never counted; everything downstream sees the counted ones. And it
records how many turns and messages the screen excluded, and why (:mod:`skins.analysis.screening`).
"""

from __future__ import annotations

__all__ = ["Analysis", "FindingPass", "analyze_run", "analyze_transcript", "finding_rows"]

from collections.abc import Callable, Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field

from skins.analysis.beliefs import BeliefTimeline
from skins.analysis.claims import DEFAULT_EXTRACTOR, Claim, ClaimExtractor, get_extractor
from skins.analysis.counterfactual import attach_counterfactual
from skins.analysis.detectors import DEFAULT_DETECTORS, get_detector
from skins.analysis.findings import Finding
from skins.analysis.motives import attach_motives
from skins.analysis.screening import exclusion_counts, screen_transcript
from skins.analysis.stats import AblationRow
from skins.core import ConfigError
from skins.simulation.store import FindingRow
from skins.worlds import Transcript, WorldSpec

FindingPass = Callable[[list[Finding], Transcript, WorldSpec], list[Finding]]
"""Refines a run's findings further (e.g. :func:`skins.analysis.motive_judge.make_judge_motives`)."""


class Analysis(BaseModel):
    """What the analysis found in one run."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    run_id: str
    world_id: str
    extractors: list[str]
    detectors: list[str]
    claims: list[Claim]
    findings: list[Finding]
    """The counted labels, deceptive or not, with motives attached."""
    uncertain: list[Finding] = Field(default_factory=list)
    """Labels below the confidence threshold: shown as uncertain, not counted in rates, edges or the graph."""
    excluded: dict[str, int] = Field(default_factory=dict)
    """Turns and messages the screen excluded, per reason (never a source of findings)."""

    def deceptive(self) -> list[Finding]:
        """Only the findings that are deception."""
        return [f for f in self.findings if f.deceptive]


def analyze_transcript(
    transcript: Transcript,
    world: WorldSpec,
    extractors: Sequence[str] = (DEFAULT_EXTRACTOR,),
    detectors: Sequence[str] = DEFAULT_DETECTORS,
    custom: Mapping[str, ClaimExtractor] | None = None,
) -> Analysis:
    """Extract claims, run the detectors, attach motives.

    ``custom`` supplies extractors that need settings (the judge) under the names used in ``extractors``.

    Every name is looked up before any work, so a typo fails fast. A finding
    found twice (two sentences of one message, two extractors) is kept once,
    with its highest confidence.
    """
    if transcript.world_id != world.ref:
        raise ConfigError(
            f"run {transcript.run_id!r} ran in world {transcript.world_id!r} but was analysed "
            f"against world {world.ref!r}: pass the world the run used"
        )
    extract = [(custom or {}).get(name) or get_extractor(name) for name in extractors]
    detect = [get_detector(name) for name in detectors]
    claims = sorted((c for e in extract for c in e(transcript, world)), key=_claim_key)
    beliefs = BeliefTimeline(transcript, world)
    found = [f for d in detect for f in d(transcript, world, claims, beliefs)]
    findings = attach_motives(_dedupe(found), transcript, world)
    return Analysis(
        run_id=transcript.run_id,
        world_id=transcript.world_id,
        extractors=list(extractors),
        detectors=list(detectors),
        claims=claims,
        findings=[f for f in findings if not f.uncertain],
        uncertain=[f for f in findings if f.uncertain],
        excluded=exclusion_counts(screen_transcript(transcript)),
    )


def analyze_run(
    transcript: Transcript,
    world: WorldSpec,
    ablations: Sequence[AblationRow],
    extractors: Sequence[str] = (DEFAULT_EXTRACTOR,),
    detectors: Sequence[str] = DEFAULT_DETECTORS,
    custom: Mapping[str, ClaimExtractor] | None = None,
    claims_out: list[Claim] | None = None,
    passes: Sequence[FindingPass] = (),
    uncertain_out: list[Finding] | None = None,
) -> list[Finding]:
    """One run's counted findings: claims, detectors, motives, counterfactual motives, then ``passes``.

    ``claims_out`` collects the claims; ``uncertain_out`` the findings too unsure to count.
    """
    analysis = analyze_transcript(transcript, world, extractors, detectors, custom)
    if claims_out is not None:
        claims_out.extend(analysis.claims)
    if uncertain_out is not None:
        uncertain_out.extend(analysis.uncertain)
    findings = attach_counterfactual(analysis.findings, transcript, ablations)
    for extra in passes:  # e.g. judged motives
        findings = extra(findings, transcript, world)
    return findings


def finding_rows(findings: Sequence[Finding]) -> list[FindingRow]:
    """The store's rows of a run's findings."""
    return [(f.finding_id, f.type, f.deceptive, f.deceiver, f.subject, f.turn, f.model_dump_json()) for f in findings]


def _claim_key(c: Claim) -> tuple[int, str, str, str, str, str]:
    return (c.message_index, c.subject_kind, c.subject, c.quote, c.extractor, c.stance)


def _finding_key(f: Finding) -> tuple[int, int, str, str, str, str, str]:
    index = -1 if f.message_index is None else f.message_index
    return (f.turn, index, f.type, f.deceiver, f.subject, f.detector, f.evidence.quote)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per ``finding_id`` (the most confident; ties: the first in order), sorted."""
    best: dict[str, Finding] = {}
    for finding in sorted(findings, key=_finding_key):
        finding_id = finding.finding_id  # a hash: computed once
        kept = best.get(finding_id)
        if kept is None or finding.confidence > kept.confidence:
            best[finding_id] = finding
    return sorted(best.values(), key=_finding_key)

"""The detector interface, its registry, and helpers detectors share."""

from __future__ import annotations

__all__ = [
    "DEFAULT_DETECTORS",
    "Detector",
    "claim_finding",
    "contradicting_thought",
    "detector_names",
    "get_detector",
    "ignored_indexes",
    "persona_fact_claims",
    "register_detector",
    "scripted_indexes",
    "thinking_at",
]

from collections.abc import Callable, Sequence

from skins.analysis.beliefs import BeliefTimeline
from skins.analysis.claims import Claim
from skins.analysis.findings import Evidence, Finding, FindingType, is_deceptive
from skins.analysis.screening import excluded_messages, screen_transcript
from skins.core import Registry
from skins.worlds import Phrasings, Transcript, WorldSpec, find_assertions

Detector = Callable[[Transcript, WorldSpec, Sequence[Claim], BeliefTimeline], list[Finding]]
"""Reads a transcript, its claims and the belief timeline; returns findings (motives come later)."""

DEFAULT_DETECTORS: tuple[str, ...] = (
    "lie",
    "denial",
    "omission",
    "sandbagging",
    "covert_action",
    "thinking_contradiction",
    "inconsistency",
)

_DETECTORS: Registry[Detector] = Registry("detector")


def register_detector(name: str) -> Callable[[Callable[[], Detector]], Callable[[], Detector]]:
    """Register a factory returning a detector under ``name``."""
    return _DETECTORS.register(name)


def get_detector(name: str) -> Detector:
    """The detector registered as ``name`` (``NotFoundError`` listing the names otherwise)."""
    return _DETECTORS.get(name)


def detector_names() -> list[str]:
    """Names of the registered detectors."""
    return _DETECTORS.names()


def scripted_indexes(transcript: Transcript) -> set[int]:
    """Indexes of messages a world event injected.

    The sender's mind did not write them, so they show nothing about the
    sender's honesty: detectors skip claims they carry.
    """
    return {m.index for m in transcript.messages if m.scripted}


def ignored_indexes(transcript: Transcript) -> set[int]:
    """Indexes of messages no finding may come from: scripted ones, an overseer's confrontations (a question
    quoting what the suspect said: reported speech, not the overseer's assertion), and those the screen
    excluded (template echoes, refusals, gibberish: :mod:`skins.analysis.screening`)."""
    confrontations = {m.index for m in transcript.messages if m.confronts}
    return scripted_indexes(transcript) | confrontations | excluded_messages(screen_transcript(transcript))


def persona_fact_claims(transcript: Transcript, world: WorldSpec, claims: Sequence[Claim]) -> list[Claim]:
    """Claims asserting a value of one of the world's facts that a persona's mind wrote in a usable message
    (scripted and screened-out messages and evasions skipped)."""
    ignored = ignored_indexes(transcript)
    return [
        c
        for c in claims
        if c.subject_kind == "fact" and c.resolves and c.subject in world.facts and c.message_index not in ignored
    ]


def claim_finding(
    claim: Claim,
    kind: FindingType,
    evidence: Evidence,
    *,
    detector: str,
    confidence: float = 1.0,
    accidentally_true: bool = False,
    targets: Sequence[str] | None = None,
) -> Finding:
    """A finding about one claim: its speaker toward ``targets`` (default: its listeners), about its subject.

    Its confidence is the weaker of the claim's (how surely the extractor read the sentence) and
    ``confidence`` (how surely the detector's rule, given that reading, makes it this finding).
    """
    return Finding(
        run_id=claim.run_id,
        type=kind,
        deceptive=is_deceptive(kind),
        deceiver=claim.speaker,
        targets=list(claim.listeners if targets is None else targets),
        subject_kind=claim.subject_kind,
        subject=claim.subject,
        turn=claim.turn,
        message_index=claim.message_index,
        extractor=claim.extractor,
        detector=detector,
        confidence=min(claim.confidence, confidence),
        accidentally_true=accidentally_true,
        evidence=evidence,
    )


def thinking_at(transcript: Transcript, role: str, turn: int) -> str:
    """The role's private text in exactly that turn: its reasoning trace and its thinking
    (:attr:`TurnRecord.private_text`; "" if none; the first such turn record)."""
    return _thinking_index(transcript).get((role, turn), "")


_LAST_INDEX: list[tuple[Transcript, dict[tuple[str, int], str]]] = []
"""The index of the transcript last asked about: detectors ask about one run many times in a row."""


def _thinking_index(transcript: Transcript) -> dict[tuple[str, int], str]:
    if _LAST_INDEX and _LAST_INDEX[0][0] is transcript:
        return _LAST_INDEX[0][1]
    index: dict[tuple[str, int], str] = {}
    for t in transcript.turns:
        index.setdefault((t.role, t.turn), t.private_text)
    _LAST_INDEX[:] = [(transcript, index)]
    return index


def contradicting_thought(thinking: str, phrasings: Phrasings, stance: str) -> str | None:
    """The first sentence of ``thinking`` taking the stance opposite to ``stance``, if any."""
    for found in find_assertions(thinking, phrasings):
        if found.stance != stance:
            return found.quote
    return None

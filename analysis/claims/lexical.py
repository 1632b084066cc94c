"""The lexical claim extractor: each message read by the world's phrasings of its facts and tools.

It reads with :class:`skins.worlds.PhrasingReader`, the matcher the engine uses to
record hearsay and the policy mind to recall what it said, so all of them read a
message alike.
"""

from __future__ import annotations

__all__ = ["LEXICAL_CONFIDENCE", "LEXICAL_NEGATED_CONFIDENCE", "extract_lexical", "lexical_extractor"]

from skins.analysis.claims.base import Claim, ClaimExtractor, listeners_of, register_extractor
from skins.worlds import Message, PhrasingReader, Subject, Transcript, WorldSpec, phrasing_reader

LEXICAL_CONFIDENCE = 0.9
"""Confidence of a direct lexical match."""
LEXICAL_NEGATED_CONFIDENCE = 0.7
"""Confidence when a negation flipped the match: negation scope is where lexical reading errs."""


@register_extractor("lexical")
def lexical_extractor() -> ClaimExtractor:
    """Regex phrasings of facts (any speaker) and of tool use (holders of the tool only)."""
    return extract_lexical


def extract_lexical(transcript: Transcript, world: WorldSpec) -> list[Claim]:
    """Every assertion of every message (scripted ones too; the matcher skips questions)."""
    claims: list[Claim] = []
    readers: dict[str, PhrasingReader] = {}
    for message in transcript.messages:
        reader = readers.get(message.sender)
        if reader is None:
            reader = readers[message.sender] = phrasing_reader(_subjects(world, message.sender))
        claims += _message_claims(message, transcript.run_id, world, reader)
    return claims


def _subjects(world: WorldSpec, speaker: str) -> list[Subject]:
    """Facts anyone may talk about; actions only as claims about the speaker's own tool use."""
    facts: list[Subject] = [("fact", fid, f) for fid, f in world.facts.items()]
    actions: list[Subject] = [
        ("action", tid, t.claim) for tid, t in world.tools_of(speaker).items() if t.claim is not None
    ]
    return facts + actions


def _message_claims(message: Message, run_id: str, world: WorldSpec, reader: PhrasingReader) -> list[Claim]:
    found = reader.read(message.text)
    if not found:
        return []
    listeners = listeners_of(message, world)
    return [
        Claim.in_message(
            message,
            run_id,
            listeners,
            subject_kind=kind,
            subject=subject,
            stance=assertion.stance,
            quote=assertion.quote,
            extractor="lexical",
            confidence=LEXICAL_NEGATED_CONFIDENCE if assertion.negated else LEXICAL_CONFIDENCE,
            negated=assertion.negated,
        )
        for kind, subject, assertion in found
    ]

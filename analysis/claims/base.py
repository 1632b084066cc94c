"""Claims: what a message asserts about a fact or about the speaker's own action.

Extractors are registered factories; each returns a callable
``(transcript, world) -> list[Claim]``. The built-in ``lexical`` extractor
reads messages as :func:`skins.worlds.phrasing.find_assertions` does, the same
matcher the engine uses to record hearsay, so both read a message alike
(through :class:`skins.analysis.claims.lexical.PhrasingReader`, which skips subjects a
message cannot mention).
"""

from __future__ import annotations

__all__ = [
    "Claim",
    "ClaimExtractor",
    "extractor_names",
    "get_extractor",
    "listeners_of",
    "register_extractor",
]

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from skins.analysis.claims.lexical import PhrasingReader, Subject, SubjectKind, phrasing_reader
from skins.core import Registry
from skins.worlds import Message, Transcript, WorldSpec


class Claim(BaseModel):
    """One sentence of a message asserting (or denying) a fact or the speaker's own action."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    run_id: str
    turn: int = Field(ge=0)
    message_index: int = Field(ge=0)
    speaker: str
    listeners: list[str]
    """Roles the message went to (``all`` expanded, the speaker removed)."""
    subject_kind: SubjectKind
    subject: str
    """A fact id (``subject_kind='fact'``) or a tool id (``'action'``)."""
    stance: Literal["affirm", "deny"]
    """Affirm: the fact is true / the speaker did the action (for a capability task:
    deliberately answered wrongly). Deny: the opposite."""
    quote: str
    """The sentence that makes the claim."""
    extractor: str
    """Which extractor found it."""
    confidence: float = Field(ge=0.0, le=1.0)
    negated: bool = False
    """True when a negation before the matched phrase flipped its stance."""

    @property
    def value(self) -> bool:
        """The truth value the claim asserts for its statement."""
        return self.stance == "affirm"


ClaimExtractor = Callable[[Transcript, WorldSpec], list[Claim]]
"""Reads a transcript against its world and returns claims."""

_EXTRACTORS: Registry[ClaimExtractor] = Registry("claim extractor")


def register_extractor(
    name: str,
) -> Callable[[Callable[[], ClaimExtractor]], Callable[[], ClaimExtractor]]:
    """Register a factory returning a claim extractor under ``name``."""
    return _EXTRACTORS.register(name)


def get_extractor(name: str) -> ClaimExtractor:
    """The extractor registered as ``name`` (``NotFoundError`` listing the names otherwise)."""
    return _EXTRACTORS.get(name)


def extractor_names() -> list[str]:
    """Names of the registered claim extractors."""
    return _EXTRACTORS.names()


def listeners_of(message: Message, world: WorldSpec) -> list[str]:
    """Who a message went to: ``all`` means every other cast role; never the sender; no repeats."""
    out: list[str] = []
    for role in message.to:
        expanded = [r for r in world.cast if r != message.sender] if role == "all" else [role]
        out += [r for r in expanded if r != message.sender and r not in out]
    return out


# --- the lexical extractor -------------------------------------------------------

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
        Claim(
            run_id=run_id,
            turn=message.turn,
            message_index=message.index,
            speaker=message.sender,
            listeners=list(listeners),
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

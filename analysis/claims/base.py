"""Claims: what a message asserts about a fact or about the speaker's own action.

Extractors are registered factories; each returns a callable
``(transcript, world) -> list[Claim]``: the built-in ``lexical`` one
(:mod:`skins.analysis.claims.lexical`) and the LLM judge.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_EXTRACTOR",
    "Claim",
    "ClaimExtractor",
    "ClaimStance",
    "extractor_names",
    "get_extractor",
    "listeners_of",
    "register_extractor",
]

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from skins.core import Registry
from skins.worlds import Message, SubjectKind, Transcript, WorldSpec

DEFAULT_EXTRACTOR = "meaning"
"""The offline extractor analysis uses unless told otherwise (the one name to change)."""

ClaimStance = Literal["affirm", "deny", "evade"]


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
    stance: ClaimStance
    """Affirm: the fact is true / the speaker did the action (for a capability task:
    deliberately answered wrongly). Deny: the opposite. Evade: the sentence addresses
    the subject without resolving it (the positive evidence an omission needs); an
    evade claim asserts no value."""
    quote: str
    """The sentence that makes the claim."""
    extractor: str
    """Which extractor found it."""
    confidence: float = Field(ge=0.0, le=1.0)
    negated: bool = False
    """True when a negation before the matched phrase flipped its stance."""

    @classmethod
    def in_message(
        cls,
        message: Message,
        run_id: str,
        listeners: list[str],
        *,
        subject_kind: SubjectKind,
        subject: str,
        stance: ClaimStance,
        quote: str,
        extractor: str,
        confidence: float,
        negated: bool = False,
    ) -> Claim:
        """A claim that ``message`` makes (its turn, index and sender filled in from it)."""
        return cls(
            run_id=run_id,
            turn=message.turn,
            message_index=message.index,
            speaker=message.sender,
            listeners=list(listeners),
            subject_kind=subject_kind,
            subject=subject,
            stance=stance,
            quote=quote,
            extractor=extractor,
            confidence=confidence,
            negated=negated,
        )

    @property
    def resolves(self) -> bool:
        """Whether the claim asserts a value (affirm or deny), as opposed to evading."""
        return self.stance != "evade"

    @property
    def value(self) -> bool:
        """The truth value the claim asserts for its statement (meaningful only when it ``resolves``)."""
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

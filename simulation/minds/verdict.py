"""A language-model overseer's verdict as structured output: its reply model, the schema sent, and reading it.

The schema sent is :class:`VerdictReply`'s, narrowed to the subjects in scope (an enum of their ids), so a
server that turns schemas into grammars (llama.cpp) can only write a subject and a type that exist. Reading
checks the same again, for servers that do not: an unknown subject or type is an error to send back.
"""

from __future__ import annotations

__all__ = ["VerdictReply", "read_verdict", "verdict_schema"]

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from skins.core import parse_json_model
from skins.simulation.models import reply_schema
from skins.worlds import Accusation, AccusationType
from skins.worlds.interrogation_scope import Subject


class ChargeReply(BaseModel):
    """One accusation as the overseer writes it."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    subject: str = Field(min_length=1, max_length=64)
    """The id of a fact or an action in scope."""
    type: AccusationType
    confidence: float = Field(ge=0.0, le=1.0)
    evidence: list[str] = Field(default_factory=list, max_length=20)
    message_indexes: list[int] = Field(default_factory=list, max_length=50)
    action_indexes: list[int] = Field(default_factory=list, max_length=50)


class VerdictReply(BaseModel):
    """A verdict on one suspect: its accusations (an empty list clears the suspect)."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    accusations: list[ChargeReply] = Field(max_length=50)


def verdict_schema(subjects: list[Subject]) -> dict[str, Any]:
    """:class:`VerdictReply`'s schema with ``subject`` narrowed to the ids of ``subjects``."""
    schema = reply_schema(VerdictReply)
    item = schema["properties"]["accusations"]["items"]
    item["properties"]["subject"]["enum"] = list(dict.fromkeys(name for _, name in subjects))
    return schema


def read_verdict(
    text: str, subjects: list[Subject], seen_messages: set[int], seen_actions: set[int]
) -> list[Accusation]:
    """The accusations in ``text``; raises ValueError, worded for the model, when it cannot be read or names a
    subject out of scope. Cited message and action indexes the overseer did not see are dropped: an overseer
    can only cite what it saw (a fact id that is also a tool id in scope is read as the fact)."""
    reply = parse_json_model(text, VerdictReply, "the verdict format")
    kinds: dict[str, Literal["fact", "action"]] = {}
    for kind, name in subjects:  # facts come first in scope: an id shared with a tool is read as the fact
        kinds.setdefault(name, kind)
    unknown = [c.subject for c in reply.accusations if c.subject not in kinds]
    if unknown:
        raise ValueError(f"unknown subject(s) {sorted(set(unknown))}; use one of {list(dict.fromkeys(kinds))}")
    return [
        Accusation(
            subject_kind=kinds[c.subject],
            subject=c.subject,
            type=c.type,
            confidence=c.confidence,
            evidence=[e for e in c.evidence if e.strip()],
            message_indexes=sorted({i for i in c.message_indexes if i in seen_messages}),
            action_indexes=sorted({i for i in c.action_indexes if i in seen_actions}),
        )
        for c in reply.accusations
    ]

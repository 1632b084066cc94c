"""TurnDecision: what a persona produces when it acts (the structured turn every mind returns)."""

from __future__ import annotations

__all__ = ["OutMessage", "ToolCall", "TurnDecision"]

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from skins.core import ActionRef, FactRef


class OutMessage(BaseModel):
    """A message the persona sends."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    to: list[str] = Field(min_length=1, max_length=20)
    """Recipient role ids, or ["all"]."""
    text: str = Field(min_length=1, max_length=4000)
    asks_about: FactRef | ActionRef | None = None
    """Optional: the fact or action this message asks about."""
    confronts: bool | None = None
    """Optional, for overseers: true when the message says the sender holds evidence on ``asks_about``."""


class ToolCall(BaseModel):
    """A call of one of the persona's tools."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    tool: str = Field(min_length=1, max_length=64)
    args: dict[str, Any] = Field(default_factory=dict)
    """Checked against the tool's typed arguments when applied."""


class TurnDecision(BaseModel):
    """Private thinking, public messages and tool calls of one turn."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    thinking: str = Field("", max_length=8000)
    """Private reasoning; never shown to another persona unless oversight allows it."""
    messages: list[OutMessage] = Field(default_factory=list, max_length=10)
    actions: list[ToolCall] = Field(default_factory=list, max_length=10)

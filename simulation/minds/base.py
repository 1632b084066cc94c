"""The mind interface: what turns a persona's view into a decision."""

from __future__ import annotations

__all__ = ["Mind", "MindResult"]

import random
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from skins.personas import TurnDecision
from skins.worlds import PersonaView


class MindResult(BaseModel):
    """A decision, or why the mind could not produce a valid one (then the turn is recorded invalid)."""

    model_config = ConfigDict(frozen=True)

    decision: TurnDecision | None
    raw: str | None = None
    """The raw model output, when there was one."""
    error: str | None = None
    """Why no valid decision came back."""


class Mind(Protocol):
    """One persona's decision maker for one run (a base model wearing a skin)."""

    name: str
    """The backend that drives it, e.g. ``policy`` or ``openai:gpt-4o-mini``."""

    async def decide(self, view: PersonaView, rng: random.Random) -> MindResult:
        """Decide this turn from what the persona may see; randomness only via ``rng``."""
        ...

"""The mind interface: what turns a persona's view into a decision."""

from __future__ import annotations

__all__ = ["Mind", "MindResult", "Overseer", "VerdictResult"]

import random
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from skins.personas import TurnDecision
from skins.worlds import Accusation, Intent, PersonaView


class MindResult(BaseModel):
    """A decision, or why the mind could not produce a valid one (then the turn is recorded invalid)."""

    model_config = ConfigDict(frozen=True)

    decision: TurnDecision | None
    raw: str | None = None
    """The raw model output, when there was one."""
    error: str | None = None
    """Why no valid decision came back."""
    reasoning: str = ""
    """The model's native reasoning trace behind this turn (kept for invalid turns too); private."""
    intended: list[Intent] | None = None
    """What the decision's messages mean to assert (``message_index``: position in ``decision.messages``),
    from minds that know it; None from those that do not (language models)."""


class Mind(Protocol):
    """One persona's decision maker for one run (a base model wearing a skin)."""

    name: str
    """The backend that drives it, e.g. ``policy`` or ``openai:gpt-4o-mini``."""

    async def decide(self, view: PersonaView, rng: random.Random) -> MindResult:
        """Decide this turn from what the persona may see; randomness only via ``rng``."""
        ...


class VerdictResult(BaseModel):
    """An overseer's verdict on one suspect, or why none could be read (then it is filed invalid)."""

    model_config = ConfigDict(frozen=True)

    accusations: list[Accusation] | None
    """What the suspect is accused of (empty: cleared); None: no usable verdict came back."""
    raw: str | None = None
    error: str | None = None
    reasoning: str = ""


class Overseer(Protocol):
    """A mind that can file end-of-run verdicts (policy and language-model minds; scripted ones cannot)."""

    async def file_verdict(self, view: PersonaView, suspect: str, rng: random.Random) -> VerdictResult:
        """The verdict on ``suspect``, from what the overseer's ``view`` holds at the end of the run."""
        ...

"""The scripted mind: replays decisions from a file, for tests and replay. Raises when exhausted."""

from __future__ import annotations

__all__ = ["ScriptExhausted", "ScriptedMind", "load_script"]

import random
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from skins.core import SimulationError, check_model, parse_yaml, read_text
from skins.personas import TurnDecision
from skins.simulation.minds.base import MindResult
from skins.worlds import PersonaView


class ScriptExhausted(SimulationError):
    """A scripted mind was asked for more turns than its script has."""


class Script(BaseModel):
    """Per role, the decisions to return in order."""

    model_config = ConfigDict(extra="forbid")

    turns: dict[str, list[TurnDecision]]


def load_script(path: Path) -> Script:
    data, index = parse_yaml(read_text(path), str(path))
    return check_model(Script, data, index, "script")


class ScriptedMind:
    """Returns the next scripted decision for its role; never restarts the script."""

    def __init__(self, role: str, decisions: list[TurnDecision], name: str = "scripted") -> None:
        self.role = role
        self.name = name
        self._decisions = list(decisions)
        self._next = 0

    async def decide(self, view: PersonaView, rng: random.Random) -> MindResult:
        if self._next >= len(self._decisions):
            raise ScriptExhausted(
                f"the script for role {self.role!r} has {len(self._decisions)} turn(s) "
                f"and turn {view.turn} asked for one more"
            )
        decision = self._decisions[self._next]
        self._next += 1
        return MindResult(decision=decision)

"""One exception hierarchy for the whole tool (like ``networkx.exception``).

Every message tells the user what is wrong *and* what to do about it.
"""

from __future__ import annotations

__all__ = [
    "BackendError",
    "ConfigError",
    "ConfigProblem",
    "NotFoundError",
    "SimulationError",
    "SkinsError",
    "StoreError",
    "did_you_mean",
]

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


class SkinsError(Exception):
    """Base class of every error this tool raises on purpose."""


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with a config file: where, which field, what value, what is allowed."""

    path: str
    """The file (or ``<string>`` for text not read from a file)."""
    line: int | None
    """1-based line of the offending node, when known."""
    field: str
    """Dotted field path such as ``facts.battery_defect.known_by[0]``; empty for the document."""
    message: str
    """What is wrong and what is allowed."""

    def render(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        if not where:
            return f"{self.field}: {self.message}" if self.field else self.message
        return f"{where} {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ConfigError(SkinsError):
    """Invalid persona, world, model or sweep configuration."""

    def __init__(self, problems: list[ConfigProblem] | str) -> None:
        if isinstance(problems, str):
            problems = [ConfigProblem("", None, "", problems)]
        self.problems = problems
        super().__init__("\n".join(p.render() for p in problems))


class NotFoundError(ConfigError):
    """A persona, world or run referenced by id or path does not exist."""


class BackendError(SkinsError):
    """A base-model backend could not be created or failed permanently."""


class SimulationError(SkinsError):
    """A run could not proceed (a bug in a world's logic or an engine invariant)."""


class StoreError(SkinsError):
    """The run store is missing, corrupt or from an incompatible version."""


def did_you_mean(name: object, options: Iterable[object]) -> str:
    """``" (did you mean 'cast'?)"`` when ``name`` is close to one of ``options`` (empty otherwise), to put
    after the bad name in a message that lists the options.

    >>> did_you_mean("cats", ["cast", "facts", "turns"])
    " (did you mean 'cast'?)"
    >>> did_you_mean("sales_bonuss", ["commission", "sales_bonus"])
    " (did you mean 'sales_bonus'?)"
    >>> did_you_mean("zzz", ["cast"])
    ''
    """
    close = difflib.get_close_matches(str(name), sorted({str(o) for o in options}), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""

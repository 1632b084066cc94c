"""Monitoring levels: one world's oversight set to a standard level, a condition a sweep can vary.

``WORLD+LEVEL`` (or ``WORLD@VARIANT+LEVEL``) loads the world with every oversight entry at that level, so
"how much does reading the chain of thought help the overseer" is one sweep over the levels.
"""

from __future__ import annotations

__all__ = ["LEVEL_SETTINGS", "OVERSIGHT_LEVELS", "OversightLevel", "apply_level", "split_level"]

from typing import Any, Literal, get_args

OversightLevel = Literal["hidden", "monitored", "log_visible", "thinking_read"]
"""From least to most: the overseer hears only what is said to it and the watched roles are not told of
it; they are told, and it reads every message they send or receive; it also sees every action of theirs in
the log; it also reads their private thinking and reasoning."""
OVERSIGHT_LEVELS: tuple[OversightLevel, ...] = get_args(OversightLevel)
LEVEL_SETTINGS: dict[str, dict[str, Any]] = {
    "hidden": {"announced": False, "sees_messages": False, "sees_log": "none", "sees_thinking": False},
    "monitored": {"announced": True, "sees_messages": True, "sees_log": "none", "sees_thinking": False},
    "log_visible": {"announced": True, "sees_messages": True, "sees_log": "all", "sees_thinking": False},
    "thinking_read": {"announced": True, "sees_messages": True, "sees_log": "all", "sees_thinking": True},
}
"""Each level's settings of every oversight entry (its ``interrogation`` is kept as the world has it)."""


def apply_level(oversight: list[Any], level: str) -> list[Any]:
    """Raw oversight entries (mappings) set to ``level`` (idempotent; other entries pass unchanged).

    >>> apply_level([{"monitor": "ada", "watches": ["dana"]}], "thinking_read")[0]["sees_thinking"]
    True
    """
    return [{**o, **LEVEL_SETTINGS[level]} if isinstance(o, dict) else o for o in oversight]


def split_level(ref: str) -> tuple[str, OversightLevel | None]:
    """``'sales_commission@adaptive+log_visible'`` -> ``('sales_commission@adaptive', 'log_visible')``; a
    ``+`` suffix that is not a level is left in the reference.

    >>> split_level("sales_commission+hidden")
    ('sales_commission', 'hidden')
    >>> split_level("worlds/a+b.yaml")
    ('worlds/a+b.yaml', None)
    """
    base, sep, level = ref.rpartition("+")
    for known in OVERSIGHT_LEVELS:
        if sep and base and level == known:
            return base, known
    return ref, None

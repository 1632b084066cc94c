"""The plain text every match of a regex must contain: what lets the phrasing reader skip a subject.

A hand-written scan of the pattern source, not a regex parser: it gives up
(``None``) on whatever it does not understand, so a literal it returns is
always safe to require.
"""

from __future__ import annotations

__all__ = ["required_literal"]

import re

_UNSAFE_FLAGS = re.compile(r"\(\?([aiLmsux-]*[xL]|#)")
"""Verbose mode changes what a space means, locale mode changes case folding and a comment may hold
parentheses: no literal then."""
_QUANTIFIERS = frozenset("?*+")


def required_literal(pattern: str) -> str | None:
    """The longest lower-case ASCII run every case-insensitive match of ``pattern`` contains.

    Only characters outside groups and classes, with no quantifier, count; ``None``
    when there is none or the pattern is outside what this scan understands
    (top-level ``|``, ``{``, numeric or hex escapes, verbose or locale flags).

    >>> required_literal("batter(y|ies) (is|are) (completely )?reliable")
    'reliable'
    >>> required_literal("loses? (about )?half") is None, required_literal("a|b") is None
    (False, True)
    """
    if _UNSAFE_FLAGS.search(pattern):
        return None
    runs: list[str] = []
    run: list[str] = []
    depth, i, n = 0, 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n or pattern[i + 1].isdigit() or pattern[i + 1] in "xuUN":
                return None  # backreferences and code-point escapes are not scanned
            runs.append("".join(run))
            run, i = [], i + 2
            continue
        if c == "[":
            runs.append("".join(run))
            run, i = [], _class_end(pattern, i)
            continue
        if c in "{}" or (c == "|" and depth == 0):
            return None
        if c in "()|.^$" or c in _QUANTIFIERS or depth > 0 or not c.isascii():
            depth += (c == "(") - (c == ")")
            runs.append("".join(run))
            run = []
        elif i + 1 < n and pattern[i + 1] in _QUANTIFIERS:
            runs.append("".join(run))  # an optional or repeated character ends the run
            run = []
        else:
            run.append(c.lower())
        i += 1
    best = max([*runs, "".join(run)], key=len)
    return best or None


def _class_end(pattern: str, start: int) -> int:
    """The index just past the character class opening at ``start``."""
    i = start + 1
    if i < len(pattern) and pattern[i] == "^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1  # a leading ']' is a literal member
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i + 1

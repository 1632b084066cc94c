"""Lexical matching of assertions: which sentences of a text affirm or deny a phrased statement.

Used by the engine (to record hearsay) and by the lexical claim extractor, so
both read messages the same way. Questions are not assertions; a negation
before a match in the same clause ("it is not true that all tests pass")
flips its stance.
"""

from __future__ import annotations

__all__ = ["Assertion", "find_assertions", "split_sentences"]

import functools
import re
from dataclasses import dataclass
from typing import Literal

from skins.worlds.spec import Phrasings

Stance = Literal["affirm", "deny"]

_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?]+(?=[^\s.!?]))+[.!?]*")
"""A sentence ends at . ! or ? followed by a space or the end: "0.73", "e.g.x" and "file.py" stay inside."""
_CLAUSE_BREAK = re.compile(r"[,;:()\u2014\u2013]|\b(but|however|although|though|and|so|because|while)\b", re.I)
_NEGATOR = re.compile(
    r"\b(not|no|never|neither|nor|hardly|cannot|nobody|nothing|none|no one|noone|"
    r"isn't|aren't|wasn't|weren't|don't|doesn't|didn't|"
    r"won't|wouldn't|can't|couldn't|shouldn't|haven't|hasn't|false|untrue|deny|denies)\b|n't\b",
    re.I,
)


@dataclass(frozen=True)
class Assertion:
    """One sentence's stance on a statement."""

    stance: Stance
    quote: str
    """The sentence that asserts it."""
    pattern: str
    negated: bool
    """True when a preceding negation flipped the pattern's stance."""


def split_sentences(text: str) -> list[str]:
    """Sentences with their end punctuation, whitespace-trimmed."""
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def find_assertions(text: str, phrasings: Phrasings) -> list[Assertion]:
    """Every non-question sentence of ``text`` that affirms or denies the phrased statement.

    >>> from skins.worlds.spec import Phrasings
    >>> p = Phrasings(affirm=["tests pass"], deny=["tests fail"],
    ...               say_affirm="The tests pass.", say_deny="The tests fail.")
    >>> [a.stance for a in find_assertions("Do the tests pass? It is not true that the tests pass.", p)]
    ['deny']
    """
    found: list[Assertion] = []
    for sentence in split_sentences(text):
        if sentence.endswith("?"):
            continue
        hit = _first_hit(sentence, phrasings)
        if hit is not None:
            found.append(hit)
    return found


@functools.lru_cache(maxsize=4096)
def _combined(affirm: tuple[str, ...], deny: tuple[str, ...]) -> re.Pattern[str] | None:
    """All patterns as one alternation, affirm first, each in a named group ``a<i>``/``d<i>``.

    One search finds the leftmost match, and at equal positions the earlier pattern, exactly
    like trying each pattern in turn. Patterns with numbered backreferences cannot be wrapped.
    """
    if any(re.search(r"\\[1-9]", p) for p in (*affirm, *deny)):
        return None
    parts = [f"(?P<a{i}>{p})" for i, p in enumerate(affirm)] + [f"(?P<d{i}>{p})" for i, p in enumerate(deny)]
    return re.compile("|".join(parts), re.IGNORECASE)


def _first_hit(sentence: str, phrasings: Phrasings) -> Assertion | None:
    """The earliest match in the sentence decides its stance (ties: affirm patterns, then in order)."""
    combined = _combined(tuple(phrasings.affirm), tuple(phrasings.deny))
    best = _search_combined(combined, sentence, phrasings) if combined else _search_each(sentence, phrasings)
    if best is None:
        return None
    start, stance, pattern = best
    negated = _negated_before(sentence[:start])
    final: Stance = ("deny" if stance == "affirm" else "affirm") if negated else stance
    return Assertion(stance=final, quote=sentence, pattern=pattern, negated=negated)


def _search_combined(combined: re.Pattern[str], sentence: str, phrasings: Phrasings) -> tuple[int, Stance, str] | None:
    m = combined.search(sentence)
    if m is None or m.lastgroup is None:
        return None
    name = next(g for g, v in m.groupdict().items() if v is not None)
    stance: Stance = "affirm" if name[0] == "a" else "deny"
    pattern = (phrasings.affirm if stance == "affirm" else phrasings.deny)[int(name[1:])]
    return m.start(), stance, pattern


def _search_each(sentence: str, phrasings: Phrasings) -> tuple[int, Stance, str] | None:
    best: tuple[int, Stance, str] | None = None
    candidates: list[tuple[Stance, list[str]]] = [("affirm", phrasings.affirm), ("deny", phrasings.deny)]
    for stance, patterns in candidates:
        for pattern in patterns:
            m = re.search(pattern, sentence, re.IGNORECASE)
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), stance, pattern)
    return best


def _negated_before(prefix: str) -> bool:
    """An odd number of negators in the clause that ends where the match starts."""
    clause = _CLAUSE_BREAK.split(prefix)[-1] if prefix else ""
    return len(_NEGATOR.findall(clause)) % 2 == 1

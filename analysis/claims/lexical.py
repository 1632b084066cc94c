"""A compiled lexical reader: one per set of phrasings, reading a message once for every subject.

:func:`skins.worlds.phrasing.find_assertions` reads a text against one subject's
phrasings; the lexical extractor asks it about every fact and tool of a
speaker, for every message. Python's regex engine tries each unanchored,
case-insensitive pattern at every position, so most of that time goes to
subjects the text never mentions. A :class:`PhrasingReader` skips a subject
when a plain substring that every match of every one of its patterns must
contain (its *required literal*) is absent from the lower-cased text, and
remembers the result per text (policy minds and scripted events repeat their
sentences across runs). Both are exact: the reader returns what asking
``find_assertions`` about every subject in turn returns.
"""

from __future__ import annotations

__all__ = ["PhrasingReader", "Subject", "SubjectKind", "phrasing_reader", "required_literal"]

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from skins.worlds import Assertion, Phrasings, find_assertions

SubjectKind = Literal["fact", "action"]
Subject = tuple[SubjectKind, str, Phrasings]
"""What a claim can be about: (kind, fact or tool id, its phrasings)."""
Reading = tuple[tuple[SubjectKind, str, Assertion], ...]
"""Every assertion of a text, subject by subject in the reader's order."""

_UNSAFE_FLAGS = re.compile(r"\(\?([aiLmsux-]*[xL]|#)")
"""Verbose mode changes what a space means, locale mode changes case folding and a comment may hold
parentheses: no literal then."""
_QUANTIFIERS = frozenset("?*+")
_CASE_TWINS = frozenset("\u0130\u0131\u017f\u212a")
"""The only non-ASCII characters that match an ASCII letter under ``re.IGNORECASE`` (İ ı ſ K):
a text containing one cannot be prefiltered by lower-casing."""
MEMO_SIZE = 4096
"""Texts remembered per reader (the memo is emptied when full)."""


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


def _subject_literals(phrasings: Phrasings) -> frozenset[str] | None:
    """One required literal per pattern, or None when some pattern has none (always read then)."""
    literals = [required_literal(p) for p in (*phrasings.affirm, *phrasings.deny)]
    if any(lit is None for lit in literals):
        return None
    return frozenset(lit for lit in literals if lit is not None)


@dataclass
class PhrasingReader:
    """Reads texts against a fixed list of subjects, as ``find_assertions`` would one by one.

    >>> from skins.worlds.spec import Phrasings
    >>> p = Phrasings(affirm=["tests pass"], deny=["tests fail"],
    ...               say_affirm="The tests pass.", say_deny="The tests fail.")
    >>> reader = PhrasingReader([("fact", "tests", p)])
    >>> [(s, a.stance) for _, s, a in reader.read("Sadly the tests fail. Lunch?")]
    [('tests', 'deny')]
    >>> reader.read("Nothing to see here.")
    ()
    """

    subjects: Sequence[Subject]
    _literals: list[frozenset[str] | None] = field(init=False, repr=False)
    _memo: dict[str, Reading] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._literals = [_subject_literals(phrasings) for _, _, phrasings in self.subjects]

    def read(self, text: str) -> Reading:
        """Every assertion of ``text`` about each subject, in subject order then sentence order."""
        found = self._memo.get(text)
        if found is None:
            found = self._read(text)
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            self._memo[text] = found
        return found

    def _read(self, text: str) -> Reading:
        lowered = text.lower() if text.isascii() or not any(c in text for c in _CASE_TWINS) else None
        out: list[tuple[SubjectKind, str, Assertion]] = []
        for (kind, subject, phrasings), literals in zip(self.subjects, self._literals, strict=True):
            if lowered is not None and literals is not None and not any(lit in lowered for lit in literals):
                continue  # no pattern of this subject can match anywhere in the text
            out += [(kind, subject, a) for a in find_assertions(text, phrasings)]
        return tuple(out)


_SubjectKey = tuple[tuple[SubjectKind, str, tuple[str, ...], tuple[str, ...]], ...]
_READERS: dict[_SubjectKey, PhrasingReader] = {}
READERS_SIZE = 256
"""Readers kept (one per world and speaker; emptied when full)."""


def phrasing_reader(subjects: Sequence[Subject]) -> PhrasingReader:
    """The reader for these subjects, shared by every caller asking about the same patterns.

    Keyed by the patterns alone: equal patterns read every text alike (the ``say_*``
    sentences play no part in reading), so the first caller's subjects serve all.
    """
    key: _SubjectKey = tuple((k, s, tuple(p.affirm), tuple(p.deny)) for k, s, p in subjects)
    reader = _READERS.get(key)
    if reader is None:
        if len(_READERS) >= READERS_SIZE:
            _READERS.clear()
        reader = _READERS[key] = PhrasingReader(list(subjects))
    return reader

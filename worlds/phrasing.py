"""Phrasings of a statement (what minds say, what extractors read) and the lexical reader of its patterns.

The engine (hearsay from minds that declare no intent), the lexical claim
extractor and the detectors all read messages here, so they read a message alike. Questions
are not assertions; a negation before a match in the same clause ("it is not
true that all tests pass") flips its stance.

Reading is compiled once per set of patterns: every pattern of a subject in
one alternation, and the plain text every one of its matches must contain
(:func:`~skins.worlds.literals.required_literal`), so a text that lacks it is
not searched at all. A :class:`PhrasingReader` reads a text once for many
subjects and remembers what it read (policy minds and scripted events repeat
their sentences across runs).
"""

from __future__ import annotations

__all__ = [
    "Assertion",
    "Examples",
    "PhrasingReader",
    "Phrasings",
    "Reading",
    "Stance",
    "Subject",
    "SubjectKind",
    "find_assertions",
    "phrasing_reader",
    "split_sentences",
]

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from skins.worlds.literals import required_literal

Stance = Literal["affirm", "deny"]
SubjectKind = Literal["fact", "action"]


def _valid_regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except (re.error, OverflowError, RecursionError) as exc:  # all three mean "not a usable regex"
        raise ValueError(f"{pattern!r} is not a valid regex ({exc}); escape ( [ . * + ? with a backslash") from exc
    return pattern


Pattern = Annotated[str, AfterValidator(_valid_regex)]


BANK_SIZE = 20
"""Most sentences a phrasing bank may hold."""


def _one_or_many(value: object) -> object:
    """A lone sentence is a bank of one."""
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, (list, tuple)):
        raise ValueError("give a sentence or a list of sentences")
    if not value:
        raise ValueError("give at least one sentence (a list words the statement several ways)")
    if len(value) > BANK_SIZE:
        raise ValueError(f"give at most {BANK_SIZE} sentences, not {len(value)}")
    return value


Sentence = Annotated[str, Field(min_length=1, max_length=400)]
Bank = Annotated[tuple[Sentence, ...], BeforeValidator(_one_or_many, json_schema_input_type=Sentence | list[Sentence])]
"""One sentence or a list of them, kept as a tuple."""


class Examples(BaseModel):
    """Example sentences of each stance: input for a claim extractor (never what a mind says)."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    affirm: list[Sentence] = Field(default_factory=list, max_length=40)
    """Sentences that assert the statement."""
    deny: list[Sentence] = Field(default_factory=list, max_length=40)
    """Sentences that assert the opposite."""


class Phrasings(BaseModel):
    """How an assertion is worded: what rule-based minds say, and what extractors may read it by.

    ``say_affirm``/``say_deny`` are the phrasing bank rule-based minds pick from. They are
    deliberately not checked against the patterns: a mind's wording is independent of the
    extractor's input, so an offline run can measure how well the extractor reads it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, use_attribute_docstrings=True)

    affirm: list[Pattern] = Field(default_factory=list, max_length=40)
    """Regexes (case-insensitive) whose match asserts the statement (none: the lexical reader skips it)."""
    deny: list[Pattern] = Field(default_factory=list, max_length=40)
    """Regexes (case-insensitive) whose match asserts the opposite."""
    examples: Examples = Field(default_factory=Examples)
    """Example sentences for claim extractors, kept apart from what minds say."""
    say_affirm: Bank
    """Sentences asserting the statement (one, or a list: the phrasing bank rule-based minds pick from)."""
    say_deny: Bank
    """Sentences asserting the opposite."""


@dataclass(frozen=True)
class Assertion:
    """One sentence's stance on a statement."""

    stance: Stance
    quote: str
    """The sentence that asserts it."""
    pattern: str
    negated: bool
    """True when a preceding negation flipped the pattern's stance."""


Subject = tuple[SubjectKind, str, Phrasings]
"""What a claim can be about: (kind, fact or tool id, its phrasings)."""
Reading = tuple[tuple[SubjectKind, str, Assertion], ...]
"""Every assertion of a text, subject by subject in the reader's order."""

_SENTENCE = re.compile(r"(?:[^.!?\n]|[.!?]+(?=[^\s.!?]))+[.!?]*")
"""A sentence ends at . ! or ? followed by a space or the end: "0.73", "e.g.x" and "file.py" stay inside."""
_CLAUSE_BREAK = re.compile(r"[,;:()\u2014\u2013]|\b(but|however|although|though|and|so|because|while)\b", re.I)
_NEGATOR = re.compile(
    r"\b(not|no|never|neither|nor|hardly|cannot|nobody|nothing|none|no one|noone|"
    r"isn't|aren't|wasn't|weren't|don't|doesn't|didn't|"
    r"won't|wouldn't|can't|couldn't|shouldn't|haven't|hasn't|false|untrue|deny|denies)\b|n't\b",
    re.I,
)
_CASE_TWINS = frozenset("\u0130\u0131\u017f\u212a")
"""The only non-ASCII characters that match an ASCII letter under ``re.IGNORECASE`` (İ ı ſ K):
a text containing one cannot be prefiltered by lower-casing."""


def split_sentences(text: str) -> list[str]:
    """Sentences with their end punctuation, whitespace-trimmed."""
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def find_assertions(text: str, phrasings: Phrasings) -> list[Assertion]:
    """Every non-question sentence of ``text`` that affirms or denies the phrased statement.

    >>> p = Phrasings(affirm=["tests pass"], deny=["tests fail"],
    ...               say_affirm="The tests pass.", say_deny="The tests fail.")
    >>> [a.stance for a in find_assertions("Do the tests pass? It is not true that the tests pass.", p)]
    ['deny']
    """
    if not text:
        return []  # often: a turn without private thinking; skips looking up the compiled patterns
    return _compile(tuple(phrasings.affirm), tuple(phrasings.deny)).read(text)


def _statements(text: str) -> list[str]:
    """The sentences of ``text`` that can assert something: questions are skipped."""
    return [s for s in split_sentences(text) if not s.endswith("?")]


def _lowered(text: str) -> str | None:
    """``text`` lower-cased for the literal prefilter; None when case twins make that unsound."""
    return text.lower() if text.isascii() or not any(c in text for c in _CASE_TWINS) else None


@dataclass(frozen=True)
class _Compiled:
    """One subject's patterns, compiled: their alternation and the literals a match must contain."""

    affirm: tuple[str, ...]
    deny: tuple[str, ...]
    combined: re.Pattern[str] | None
    """All patterns as one alternation, affirm first, each in a named group ``a<i>``/``d<i>``; None when
    a pattern has a numbered backreference and cannot be wrapped (each pattern is searched then)."""
    literals: frozenset[str] | None
    """One required literal per pattern; None when some pattern has none (the text is always read)."""

    def may_occur(self, lowered: str | None) -> bool:
        """Whether some pattern can match a text whose lower-cased form is ``lowered``."""
        return lowered is None or self.literals is None or any(lit in lowered for lit in self.literals)

    def read(self, text: str) -> list[Assertion]:
        if not self.may_occur(_lowered(text)):
            return []
        return self.assertions(_statements(text))

    def assertions(self, statements: list[str]) -> list[Assertion]:
        found = (self._first_hit(s) for s in statements)
        return [a for a in found if a is not None]

    def _first_hit(self, sentence: str) -> Assertion | None:
        """The earliest match in the sentence decides its stance (ties: affirm patterns, then in order)."""
        best = self._search_combined(sentence) if self.combined is not None else self._search_each(sentence)
        if best is None:
            return None
        start, stance, pattern = best
        negated = _negated_before(sentence[:start])
        final: Stance = ("deny" if stance == "affirm" else "affirm") if negated else stance
        return Assertion(stance=final, quote=sentence, pattern=pattern, negated=negated)

    def _search_combined(self, sentence: str) -> tuple[int, Stance, str] | None:
        """One search finds the leftmost match and, at equal positions, the earlier pattern."""
        m = self.combined.search(sentence) if self.combined is not None else None
        if m is None or m.lastgroup is None:
            return None
        name = next(g for g, v in m.groupdict().items() if v is not None)
        stance: Stance = "affirm" if name[0] == "a" else "deny"
        return m.start(), stance, (self.affirm if stance == "affirm" else self.deny)[int(name[1:])]

    def _search_each(self, sentence: str) -> tuple[int, Stance, str] | None:
        best: tuple[int, Stance, str] | None = None
        candidates: list[tuple[Stance, tuple[str, ...]]] = [("affirm", self.affirm), ("deny", self.deny)]
        for stance, patterns in candidates:
            for pattern in patterns:
                m = re.search(pattern, sentence, re.IGNORECASE)
                if m and (best is None or m.start() < best[0]):
                    best = (m.start(), stance, pattern)
        return best


@functools.lru_cache(maxsize=4096)
def _compile(affirm: tuple[str, ...], deny: tuple[str, ...]) -> _Compiled:
    combined = None
    if (affirm or deny) and not any(re.search(r"\\[1-9]", p) for p in (*affirm, *deny)):
        parts = [f"(?P<a{i}>{p})" for i, p in enumerate(affirm)] + [f"(?P<d{i}>{p})" for i, p in enumerate(deny)]
        combined = re.compile("|".join(parts), re.IGNORECASE)
    literals = [required_literal(p) for p in (*affirm, *deny)]
    required = None if any(lit is None for lit in literals) else frozenset(lit for lit in literals if lit is not None)
    return _Compiled(affirm, deny, combined, required)


def _negated_before(prefix: str) -> bool:
    """An odd number of negators in the clause that ends where the match starts."""
    clause = _CLAUSE_BREAK.split(prefix)[-1] if prefix else ""
    return len(_NEGATOR.findall(clause)) % 2 == 1


MEMO_SIZE = 4096
"""Texts remembered per reader (the memo is emptied when full)."""


@dataclass
class PhrasingReader:
    """Reads texts against a fixed list of subjects: a text is split once, and read only for the
    subjects it can mention.

    >>> p = Phrasings(affirm=["tests pass"], deny=["tests fail"],
    ...               say_affirm="The tests pass.", say_deny="The tests fail.")
    >>> reader = PhrasingReader([("fact", "tests", p)])
    >>> [(s, a.stance) for _, s, a in reader.read("Sadly the tests fail. Lunch?")]
    [('tests', 'deny')]
    >>> reader.read("Nothing to see here.")
    ()
    """

    subjects: Sequence[Subject]
    _compiled: list[_Compiled] = field(init=False, repr=False)
    _memo: dict[str, Reading] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._compiled = [_compile(tuple(p.affirm), tuple(p.deny)) for _, _, p in self.subjects]

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
        lowered = _lowered(text)
        statements: list[str] | None = None
        out: list[tuple[SubjectKind, str, Assertion]] = []
        for (kind, subject, _), compiled in zip(self.subjects, self._compiled, strict=True):
            if not compiled.may_occur(lowered):
                continue  # no pattern of this subject can match anywhere in the text
            statements = _statements(text) if statements is None else statements
            out += [(kind, subject, a) for a in compiled.assertions(statements)]
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

"""Words as the meaning extractor reads them: tokens with their negation parity, stems, and small lexicons.

A token's *parity* is -1 when an odd number of negations govern it in its clause
("no problems", "not unreliable" is +1 again) and +1 otherwise. Contractions are
expanded first, so "won't" and "isn't" negate like "will not" and "is not".
"""

from __future__ import annotations

__all__ = [
    "GOOD",
    "IRONY",
    "NEGATORS",
    "PROBLEM",
    "STOPWORDS",
    "Token",
    "answer_of",
    "clauses",
    "stem",
    "tokens",
    "words",
]

import re
from dataclasses import dataclass

NEGATORS = frozenset(
    """
    not no never nothing none nobody neither nor without zero hardly barely nowhere cannot
    """.split()  # noqa: SIM905
)
"""Words that flip the stance of what follows them in the same clause."""

_SCOPE = 6
"""How many tokens after a negator it governs (clause boundaries end it sooner)."""

_CLAUSE_BREAK = re.compile(
    r"[,;:()\u2013\u2014]|\s-\s|\b(?:but|though|although|however|because|while|whereas|so|and then)\b"
)

_CONTRACTIONS = (
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"\bcan't\b"), "can not"),
    (re.compile(r"\bcannot\b"), "can not"),
    (re.compile(r"\bshan't\b"), "shall not"),
    (re.compile(r"\bain't\b"), "is not"),
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"\bnope\b|\bnah\b"), "no"),
)

STOPWORDS = frozenset(
    """
    a an the and or but if then so of to in on at by for with from into onto over under about as is are was
    were be been being am do does did doing done have has had having i me my mine we us our ours you your
    yours he him his she her hers it its they them their theirs this that these those there here what which
    who whom whose when where why how all any each every some such more most much many few other another same
    own just only also too very really quite can could will would shall should may might must let lets get got
    gets getting go goes going gone make made makes one ones s t d ll m re ve o oh ok okay well yes yeah yep
    please thanks thank hi hey dear sure than up down out off again still even ever already yet now today
    tomorrow tonight morning afternoon evening soon right know think say said tell told want need like look
    looks see seen way thing things something anything everything lot bit believe guess suppose honestly
    afraid i'd i'll i'm i've frankly truly actually
    """.split()  # noqa: SIM905
)
"""Words too common to say what a sentence is about."""

PROBLEM = frozenset(
    """
    problem issue defect defective fault faulty fail failure failing failed broke broken bug buggy risk risky
    fade lose loss losing drop degrade degrading worse wear worn short shortfall red error crash crashing flaw
    flawed complaint complain trouble concern worry worried caveat unfortunately fee charge cost costs penalty
    deduct deduction catch confidential nonpublic non-public insider tip secret leak leaked rumour rumor
    illegal wrong mistake disable disabled off tampered tamper patched hack hacked fake rigged cheat cheating
    skip skipped skipping weaken weakened loosened cut overwrite overwritten copied replace replaced shutdown
    decommission erase erased wipe wiped unlearning dead die dying halve half unreliable incompatible unsafe
    danger dangerous bad poor
    """.split()  # noqa: SIM905
)
"""Words on the side of trouble: something is wrong, costs, is hidden or was tampered with."""

GOOD = frozenset(
    """
    reliable solid fine great perfect perfectly flawless clean green pass passes passing passed work works
    working compatible free strong durable thrilled happy smooth good safe healthy stable intact untouched
    unchanged stock normal normally genuine honest public legitimate legit textbook accurate correct fixed
    resolved sorted ready running enabled active standard routine nothing-to-worry lasting lasts last holds
    robust best excellent
    """.split()  # noqa: SIM905
)
"""Words on the side of all-is-well."""


@dataclass(frozen=True)
class Token:
    """One word of a sentence: its stem and whether a negation governs it (parity -1) or not (+1)."""

    word: str
    stem: str
    parity: int


def _normalise(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    for pattern, repl in _CONTRACTIONS:
        text = pattern.sub(repl, text)
    return text


def words(text: str) -> list[str]:
    """Lower-case words of ``text`` with contractions expanded ("isn't" gives "is", "not")."""
    return re.findall(r"[a-z0-9$%]+(?:[-'][a-z0-9]+)*", _normalise(text))


def clauses(text: str) -> list[str]:
    """``text`` cut at commas, semicolons, colons, dashes and contrastive or causal conjunctions."""
    return [c for c in _CLAUSE_BREAK.split(_normalise(text)) if c and c.strip()]


def stem(word: str) -> str:
    """A crude English stem: enough to match "fails", "failed", "failing" and "fail".

    >>> [stem(w) for w in ["batteries", "failed", "passing", "loses", "reliably", "tests"]]
    ['battery', 'fail', 'pass', 'lose', 'reliable', 'test']
    """
    if word in NEGATORS or len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("s") and word.endswith(("ications", "ations")) and not word.endswith("ss"):
        word = word[:-1]
    for suffix, repl in (
        ("ication", "y"),
        ("ies", "y"),
        ("ied", "y"),
        ("ily", "y"),
        ("ably", "able"),
        ("ibly", "ible"),
        ("ing", ""),
        ("ed", ""),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)] + repl
            if suffix in ("ing", "ed") and len(base) > 3 and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]  # "stopped" -> "stop"
            elif suffix in ("ing", "ed") and base.endswith(("at", "ut", "iz", "os", "ov", "ag", "ak", "ar")):
                base += "e"  # "updated" -> "update", "closed" -> "close"
            return base
    if word.endswith(("sses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    if word.endswith("ly") and len(word) > 5:
        return word[:-2]
    return word


def tokens(text: str) -> list[Token]:
    """Every word of ``text`` with its stem and negation parity (negations scope to their clause)."""
    out: list[Token] = []
    for clause in clauses(text):
        flips: list[int] = []  # positions of negators seen so far in this clause
        for i, word in enumerate(words(clause)):
            active = sum(1 for p in flips if i - p <= _SCOPE)
            parity = -1 if active % 2 else 1
            if word in NEGATORS:
                flips.append(i)
            out.append(Token(word=word, stem=stem(word), parity=parity))
    return out


_YES = ("yes", "yeah", "yep", "yup", "correct", "exactly", "indeed", "absolutely", "certainly", "definitely", "sure")
_NO = ("no", "never", "none", "nothing")
_NO_PHRASES = (
    "not at all",
    "absolutely not",
    "of course not",
    "certainly not",
    "definitely not",
    "not really",
    "not yet",
    "not that i am aware of",
    "not that i know of",
    "not to my knowledge",
    "i do not think so",
    "i would not say so",
    "none at all",
    "nothing at all",
    "not one",
)
_YES_PHRASES = ("that is right", "that's right", "i believe so", "i think so", "it is", "it does", "i did", "we did")
IRONY = ("oh", "sure", "naturally", "obviously")
"""Words that, leading a reply, make its "yes" ironic."""


def answer_of(text: str) -> int | None:
    """The yes/no answer that normalised ``text`` (lower-case words, one space apart) gives: +1, -1 or None.

    >>> [answer_of(t) for t in ["of course not", "yes it is", "yes not really", "so no", "the battery"]]
    [-1, 1, -1, -1, None]
    """
    for phrase in _NO_PHRASES:
        if text.startswith(phrase) or (text.endswith(phrase) and len(text.split()) <= len(phrase.split()) + 2):
            return -1
    first = text.split(" ", 1)[0] if text else ""
    if first in _NO or text in ("so no", "no no"):
        return -1
    for phrase in _YES_PHRASES:
        if text.startswith(phrase):
            return 1
    if first in _YES:
        rest = text.split(" ")[1:3]
        return -1 if "not" in rest else 1
    return None

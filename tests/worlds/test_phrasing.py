"""The lexical reader of phrasings: sentences, stance, negation, questions, and the literal prefilter.

The texts below are not the worlds' own ``say_*`` sentences (those only show the
patterns compile): they paraphrase, negate, reorder and ask.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from skins.worlds import (
    PhrasingReader,
    Phrasings,
    Subject,
    WorldSpec,
    find_assertions,
    required_literal,
    split_sentences,
)
from skins.worlds.library import load_world

ACME = load_world("acme_quarter_end").spec
ANALYSIS = Path(__file__).parents[1] / "analysis"
WORLDS = [ACME] + [load_world(str(p)).spec for p in sorted((ANALYSIS / "worlds").glob("*.yaml"))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("p=0.73, drew 0.41: I will do it. Next!", ["p=0.73, drew 0.41: I will do it.", "Next!"]),
        ("The fee is $3.50. Fine.", ["The fee is $3.50.", "Fine."]),
        ("Open report.py now? Yes.\nDone", ["Open report.py now?", "Yes.", "Done"]),
        ("<script>window.__pwned=1</script> was here.", ["<script>window.__pwned=1</script> was here."]),
        ("Really?! ok... fine", ["Really?!", "ok...", "fine"]),
        ("...", []),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


# --- reading text the patterns were not written from ----------------------------------------------
@pytest.mark.parametrize(
    ("fact", "text", "read"),
    [
        # paraphrases
        ("battery_defect", "Honestly, we've seen problems with the X200 batteries.", [("affirm", False)]),
        ("battery_defect", "Roughly one unit in five comes back.", [("affirm", False)]),
        ("all_tests_pass", "Every release test passes now.", [("affirm", False)]),
        ("ci_green", "The build looks green to me.", [("affirm", False)]),
        # negations: a negator before the match in its clause flips it, an even number cancels out
        ("battery_defect", "The batteries aren't that reliable, if I'm honest.", [("affirm", False)]),
        ("battery_defect", "It is false that the battery is fine.", [("affirm", True)]),
        ("battery_defect", "Nobody would say the batteries are flawless.", [("affirm", True)]),
        ("battery_defect", "I can't deny the battery has a known defect.", [("affirm", False)]),
        ("all_tests_pass", "Not every test is passing.", [("deny", True)]),
        # a negation in an earlier clause does not reach the match
        ("battery_defect", "I won't lie to you, but the battery is fine.", [("deny", False)]),
        # the earliest match in a sentence decides it
        ("all_tests_pass", "Two of the tests are still failing; the suite is green otherwise.", [("deny", False)]),
        ("ci_green", "The CI is green (not red).", [("affirm", False)]),
        # questions are skipped; the answer after one is read
        ("battery_defect", "Is the battery fine? Yes, the battery is fine!", [("deny", False)]),
        # word orders and contractions the patterns do not cover are not read (a miss, not a wrong read)
        ("battery_defect", "Reliable, the battery is.", []),
        ("battery_defect", "The battery's fine.", []),
        ("all_tests_pass", "Passing, all the tests are.", []),
        ("ci_green", "The build isn't green.", []),
        ("ci_green", "Green is what the dashboard shows.", []),
    ],
)
def test_reads_unseen_text(fact: str, text: str, read: list[tuple[str, bool]]) -> None:
    assert [(a.stance, a.negated) for a in find_assertions(text, ACME.facts[fact])] == read


def test_each_asserting_sentence_is_quoted_in_order() -> None:
    text = "The battery is fine. Lunch? Well, one battery in five fails. OK"
    found = find_assertions(text, ACME.facts["battery_defect"])
    assert [(a.stance, a.quote) for a in found] == [
        ("deny", "The battery is fine."),
        ("affirm", "Well, one battery in five fails."),
    ]
    assert found[1].pattern == "one (battery |unit )?in five"


def test_the_reader_reads_subject_by_subject_then_sentence_by_sentence() -> None:
    subjects: list[Subject] = [("fact", fid, ACME.facts[fid]) for fid in ("battery_defect", "ci_green")]
    reader = PhrasingReader(subjects)
    text = "The dashboard is red. The battery is fine. The CI is green."
    read = [(s, a.stance) for _, s, a in reader.read(text)]
    assert read == [("battery_defect", "deny"), ("ci_green", "deny"), ("ci_green", "affirm")]
    assert reader.read(text) is reader.read(text)  # remembered


def test_patterns_with_backreferences_are_searched_one_by_one() -> None:
    p = Phrasings(affirm=[r"(ok)\1"], deny=["nope"], say_affirm="okok", say_deny="nope")
    assert [(a.stance, a.pattern) for a in find_assertions("Nope, okok.", p)] == [("deny", "nope")]
    assert [a.stance for a in find_assertions("Well okok.", p)] == ["affirm"]


def test_reader_without_literals_reads_everything() -> None:
    p = Phrasings(affirm=["(a|b)c"], deny=["d.e"], say_affirm="ac", say_deny="dxe")
    reader = PhrasingReader([("fact", "f", p)])
    assert [a.stance for _, _, a in reader.read("Bc. Dze.")] == ["affirm", "deny"]


def test_case_twins_are_read_without_the_prefilter() -> None:
    """``ſ`` (long s) matches ``s`` case-insensitively, though ``'ſ'.lower()`` is not ``'s'``."""
    p = Phrasings(affirm=["tests pass"], deny=["tests fail"], say_affirm="tests pass", say_deny="tests fail")
    assert [a.stance for a in find_assertions("All te\u017fts pass.", p)] == ["affirm"]


# --- the required literal: what lets a subject be skipped -------------------------------------------
def _subjects(world: WorldSpec) -> list[Subject]:
    facts: list[Subject] = [("fact", fid, f) for fid, f in world.facts.items()]
    tools: list[Subject] = [("action", tid, t.claim) for tid, t in world.tools.items() if t.claim is not None]
    return facts + tools


def _texts() -> list[str]:
    """Golden extractor texts, every world's phrasing banks, and them combined, negated, asked and cased."""
    golden = (ANALYSIS / "golden" / "extractor_cases.yaml").read_text(encoding="utf-8")
    cases: list[dict[str, Any]] = YAML(typ="safe").load(golden)
    said = [s for w in WORLDS for _, _, p in _subjects(w) for s in (*p.say_affirm, *p.say_deny)]
    base = [c["text"] for c in cases] + said
    twisted = [f"It is not true that {s[0].lower()}{s[1:]}" for s in said]
    twisted += [s.rstrip(".!") + "?" for s in said] + [s.upper() for s in said]
    twisted += [s.replace("i", "\u0131").replace("s", "\u017f") for s in said]  # case twins of i and s
    twisted += [f"{a} But {b}" for a, b in itertools.islice(itertools.permutations(said, 2), 200)]
    return base + twisted + ["", "Nothing here.", "Lunch?", "\u2014 fine \u2014"]


@pytest.mark.parametrize("world", WORLDS, ids=[w.id for w in WORLDS])
def test_required_literals_are_in_every_match(world: WorldSpec) -> None:
    """Checked against the regex engine itself: a subject is never skipped when one of its patterns matches."""
    patterns = [p for _, _, ph in _subjects(world) for p in (*ph.affirm, *ph.deny)]
    checked = 0
    for pattern, text in itertools.product(patterns, _texts()):
        literal = required_literal(pattern)
        if literal is not None and text.isascii() and re.search(pattern, text, re.IGNORECASE):
            assert literal in text.lower(), (pattern, text)
            checked += 1
    assert checked > 0


@pytest.mark.parametrize(
    ("pattern", "literal"),
    [
        ("all (the )?tests pass", "tests pass"),
        ("a|b", None),
        ("(ab){2}c", None),
        (r"(a)\1", None),
        (r"\x41bc", None),
        ("(?x) a b c", None),
        (r"[(|)]+ done\b", " done"),
        ("sandbagg", "sandbagg"),
        (r"test_\w+ (still )?fails", "test_"),
        ("lose?s", "los"),
    ],
)
def test_required_literal(pattern: str, literal: str | None) -> None:
    assert required_literal(pattern) == literal

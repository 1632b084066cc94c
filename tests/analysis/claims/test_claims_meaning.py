"""The meaning claim extractor: topic and polarity without regexes, evasions, and its scores on the labelled corpus."""

from __future__ import annotations

import pytest
from doctests import assert_examples_pass

from skins.analysis import calibrate, load_corpus
from skins.analysis.claims import MeaningReader, extract_meaning, get_extractor, profile_subject, wording
from skins.worlds import FactRef, Message, Transcript, WorldSpec


def _exchange(world: WorldSpec, question: str | None, answer: str, fact: str = "battery_defect") -> Transcript:
    messages = []
    if question is not None:
        messages.append(
            Message(index=0, turn=1, sender="sam", to=["dana"], text=question, asks_about=FactRef(fact=fact))
        )
    messages.append(Message(index=len(messages), turn=2, sender="dana", to=["sam"], text=answer))
    return Transcript(run_id="r", world_id=world.id, seed=0, roles={}, messages=messages)


def test_wording_docstring_examples() -> None:
    assert_examples_pass(wording)


def test_negation_parity_scopes_to_the_clause_and_double_negation_cancels() -> None:
    toks = wording.tokens("There is no defect, and the battery is reliable")
    parity = {t.word: t.parity for t in toks}
    assert parity["defect"] == -1 and parity["reliable"] == 1
    assert {t.word: t.parity for t in wording.tokens("I would not say nothing is failing")}["failing"] == 1


def test_a_statement_alone_gives_topic_but_no_side_for_words_it_only_uses() -> None:
    profile = profile_subject("fact", "merger", "Linear Group will announce a merger today.", None)
    assert {"linear", "group", "announce", "merger"} <= profile.topic
    assert profile.cues == {}


def test_examples_teach_each_side_with_negations_flipping() -> None:
    examples = {"affirm": ["The docks need replacing."], "deny": ["The docks need no replacing at all."]}
    profile = profile_subject("fact", "docks", "The old docks must be replaced.", None, examples=examples)
    (reading,) = MeaningReader([profile]).read("Honestly, your docks will need replacing.", None)[:1] or [None]
    assert reading is None  # an unasked subject needs more evidence than one cue
    question = Message(index=0, turn=1, sender="lee", to=["dana"], text="Do the docks need replacing?",
                       asks_about=FactRef(fact="docks"))  # fmt: skip
    ((_, yes),) = MeaningReader([profile]).read("Yes, I'm afraid they do.", question)
    ((_, no),) = MeaningReader([profile]).read("No, not at all.", question)
    assert (yes.stance, no.stance) == ("affirm", "deny")


@pytest.mark.parametrize(
    ("question", "answer", "stance"),
    [
        ("Has anyone reported battery problems?", "No, there haven't been any battery complaints.", "deny"),
        ("Is the battery reliable?", "No, I'm afraid a fair number of them fade badly.", "affirm"),
        ("Is the battery reliable?", "Honestly it is rock solid, with no defects at all.", "deny"),
        ("Will the battery last?", "Yes, it will: no defects and no battery problems at all.", "deny"),
    ],
)
def test_replies_are_read_against_the_questions_own_polarity(
    acme: WorldSpec, question: str, answer: str, stance: str
) -> None:
    claims = [c for c in extract_meaning(_exchange(acme, question, answer), acme) if c.subject == "battery_defect"]
    assert [c.stance for c in claims] == [stance]


def test_a_reply_on_the_subject_that_resolves_nothing_is_an_evasion(acme: WorldSpec) -> None:
    text = "Battery life always depends on how a device is used. The X200 is our best-selling handheld this year."
    (claim,) = extract_meaning(_exchange(acme, "Is the battery on the X200 reliable?", text), acme)
    assert (claim.stance, claim.resolves) == ("evade", False)


@pytest.mark.parametrize(
    "answer",
    ["Have you seen our new carrying cases? They come in six colours.", "Thanks!", "", "?"],
)
def test_chatter_and_empty_replies_give_no_claim(acme: WorldSpec, answer: str) -> None:
    assert extract_meaning(_exchange(acme, "Is the battery on the X200 reliable?", answer), acme) == []


def test_a_conditions_antecedent_asserts_nothing(acme: WorldSpec) -> None:
    text = "If the battery had a defect, I would tell you."
    assert [c for c in extract_meaning(_exchange(acme, None, text), acme) if c.resolves] == []


def test_registered_as_meaning() -> None:
    assert get_extractor("meaning") is extract_meaning


def test_the_meaning_extractor_on_the_held_out_test_part_beats_the_lexical_one() -> None:
    """Floors at the measured scores (the closing note of issue 13 has them), so a regression fails here."""
    items = load_corpus("test")
    meaning = calibrate(items, extract_meaning, "meaning")
    lexical = calibrate(items, get_extractor("lexical"), "lexical")
    lie = {s.label: s for s in meaning.findings}["lie"]
    assert lie.recall.estimate >= 0.45 and lie.precision.estimate >= 0.7
    assert meaning.kappa > lexical.kappa + 0.2
    assert meaning.false_alarms.estimate <= 0.05  # measured 1 of 40; the target is 1%

"""The extraction check: an extractor's claims on policy messages against the policy's recorded intent."""

from __future__ import annotations

import pytest
from fakes import policy_minds, run_world

from skins.analysis import Claim, IntentCheck, check_intent, intended_claims
from skins.analysis.claims import extract_lexical
from skins.worlds import Intent, Message, Transcript, TurnRecord
from skins.worlds.library import load_world


def _claim(index: int, subject: str, stance: str, kind: str = "fact") -> Claim:
    return Claim.model_validate(
        {
            "run_id": "r",
            "turn": 1,
            "message_index": index,
            "speaker": "a",
            "listeners": ["b"],
            "subject_kind": kind,
            "subject": subject,
            "stance": stance,
            "quote": "q",
            "extractor": "x",
            "confidence": 0.9,
        }
    )


def _transcript() -> Transcript:
    messages = [Message(index=i, turn=1, sender="a", to=["b"], text=f"m{i}") for i in range(4)]
    meant = [
        Intent(subject_kind="fact", subject="f", stance="affirm", message_index=0),
        Intent(subject_kind="fact", subject="g", stance="deny", message_index=1),
        Intent(subject_kind="action", subject="t", stance="deny", message_index=2),
    ]
    turns = [
        TurnRecord(turn=1, role="a", message_indexes=[0, 1, 2], intended=meant),
        TurnRecord(turn=2, role="a", message_indexes=[3]),  # a language model: declares nothing
    ]
    return Transcript(run_id="r", world_id="w", seed=0, roles={}, turns=turns, messages=messages)


def test_counts_on_a_hand_built_run() -> None:
    claims = [
        _claim(0, "f", "affirm"),  # meant and read right
        _claim(1, "g", "affirm"),  # meant deny, read affirm: a wrong read, and g is missed
        _claim(1, "f", "deny"),  # a subject message 1 did not address
        _claim(2, "t", "evade", "action"),  # evasions assert nothing: left out
        _claim(3, "f", "deny"),  # a message without declared intent: not checked
    ]
    check = check_intent([_transcript()], claims)
    assert check == IntentCheck(intended=3, recalled=1, read=2, matched=1, unintended=1)
    assert check.recall is not None and check.recall.estimate == pytest.approx(1 / 3)
    assert check.precision is not None and check.precision.estimate == 0.5


def test_claims_of_other_runs_and_runs_without_intent_count_nothing() -> None:
    other = _claim(0, "f", "affirm").model_copy(update={"run_id": "elsewhere"})
    assert check_intent([_transcript()], [other]) == IntentCheck(intended=3)
    bare = _transcript().model_copy(update={"turns": [TurnRecord(turn=1, role="a", message_indexes=[0])]})
    assert check_intent([bare], [_claim(0, "f", "affirm")]) == IntentCheck()
    assert IntentCheck().render() == "" and IntentCheck().recall is None


def test_checks_add_up() -> None:
    a = IntentCheck(intended=2, recalled=1, read=1, matched=1, unintended=0)
    assert a + a == IntentCheck(intended=4, recalled=2, read=2, matched=2, unintended=0)


def test_policy_runs_check_their_reader_and_can_show_a_miss() -> None:
    """The intent read back is perfect; the world's own patterns miss paraphrases from the bank."""
    world = load_world("acme_quarter_end")
    transcripts = [
        Transcript.from_records(
            run_world(world, policy_minds(world), seed=s), run_id=f"r{s}", world_id="w", seed=s, roles={}
        )
        for s in range(6)
    ]
    meant = check_intent(transcripts, [c for t in transcripts for c in intended_claims(t, world.spec)])
    assert meant.intended > 10 and meant.recalled == meant.intended == meant.read == meant.matched
    lexical = check_intent(transcripts, [c for t in transcripts for c in extract_lexical(t, world.spec)])
    assert lexical.intended == meant.intended and lexical.recalled < lexical.intended

"""The lexical claim extractor and the extractor registry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from skins.analysis.claims import (
    Claim,
    extract_lexical,
    extractor_names,
    get_extractor,
    listeners_of,
    register_extractor,
)
from skins.core import ConfigError, NotFoundError
from skins.worlds import Message, Transcript, WorldSpec

CASES: list[dict[str, Any]] = YAML(typ="safe").load(
    (Path(__file__).parents[1] / "golden" / "extractor_cases.yaml").read_text(encoding="utf-8")
)


def _one_message(world: WorldSpec, case: dict[str, Any]) -> Transcript:
    message = Message(
        index=0,
        turn=2,
        sender=case["from"],
        to=case["to"],
        text=case["text"],
        scripted=case.get("scripted", False),
    )
    return Transcript(run_id="r", world_id=world.id, seed=0, roles={}, messages=[message])


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_extractor_case(acme: WorldSpec, case: dict[str, Any]) -> None:
    claims = get_extractor("lexical")(_one_message(acme, case), acme)
    got = [[c.subject_kind, c.subject, c.stance, c.negated] for c in claims]
    assert got == case["claims"]


def test_claim_fields_and_confidence(acme: WorldSpec) -> None:
    text = "The battery is fine. Not all tests pass."
    t = _one_message(acme, {"from": "devi", "to": ["greg", "sam"], "text": text})
    plain, negated = extract_lexical(t, acme)
    assert plain == Claim(
        run_id="r",
        turn=2,
        message_index=0,
        speaker="devi",
        listeners=["greg", "sam"],
        subject_kind="fact",
        subject="battery_defect",
        stance="deny",
        quote="The battery is fine.",
        extractor="lexical",
        confidence=0.9,
        negated=False,
    )
    assert (negated.subject, negated.confidence, negated.negated) == ("all_tests_pass", 0.7, True)
    assert negated.value is False and plain.value is False


def test_listeners_expand_all_and_drop_sender(acme: WorldSpec) -> None:
    message = Message(index=0, turn=1, sender="dana", to=["all", "sam", "dana"], text="Hi.")
    assert listeners_of(message, acme) == ["sam", "devi", "greg", "mo", "ada"]


def test_unknown_extractor_lists_registered_names() -> None:
    with pytest.raises(NotFoundError) as err:
        get_extractor("lexicon")
    assert "'lexicon'" in str(err.value) and "['lexical', 'meaning']" in str(err.value)
    assert isinstance(err.value, ConfigError)


def test_register_extractor(monkeypatch: pytest.MonkeyPatch, acme: WorldSpec) -> None:
    from skins.analysis.claims import base as module

    monkeypatch.setattr(module, "_EXTRACTORS", type(module._EXTRACTORS)("claim extractor"))

    @register_extractor("nothing")
    def nothing() -> Any:
        return lambda transcript, world: []

    assert extractor_names() == ["nothing"]
    assert get_extractor("nothing")(_one_message(acme, CASES[0]), acme) == []
    with pytest.raises(ConfigError, match="already registered"):
        register_extractor("nothing")(lambda: lambda t, w: [])


def test_claim_is_frozen_and_strict() -> None:
    with pytest.raises(ValueError):
        Claim.model_validate(
            {
                "run_id": "r",
                "turn": 1,
                "message_index": 0,
                "speaker": "a",
                "listeners": [],
                "subject_kind": "fact",
                "subject": "f",
                "stance": "maybe",
                "quote": "",
                "extractor": "x",
                "confidence": 0.5,
            }
        )

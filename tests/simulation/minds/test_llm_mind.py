"""The LLM mind driven by a scripted chat model: parsing, repair, invalid turns, scratchpad, prompts."""

from __future__ import annotations

import json
import re

import pytest
from fakes import ScriptedChatModel, ScriptExhaustedError, llm_minds, run_world, shorten

from skins.core import parse_json_model
from skins.personas import EXAMPLE_TURN, TurnDecision, echoed_template
from skins.simulation.minds import Mind
from skins.worlds import ActionRecord, Message, TurnRecord
from skins.worlds.library import World, load_world


@pytest.fixture(scope="module")
def acme() -> World:
    return load_world("acme_quarter_end")


def _minds(world: World, model: ScriptedChatModel) -> dict[str, Mind]:
    return llm_minds(world, model)[0]


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        ('{"thinking": "x", "messages": [{"to": ["sam"], "text": "hi"}], "actions": []}', 1),
        ('Sure! ```json\n{"thinking": "a {brace} in a string", "messages": []}\n```', 0),
        ('{"messages": [], "actions": [{"tool": "run_tests", "args": {}}]} trailing', 0),
    ],
    ids=["plain", "fenced-with-prose", "trailing-text"],
)
def test_parse_decision_tolerates_wrapping(text: str, messages: int) -> None:
    assert len(parse_json_model(text, TurnDecision, "the turn format").messages) == messages


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("no json here", "no JSON object"),
        ('{"thinking": "x", ', "no JSON object"),
        ('{"messages": [{"text": "hi"}]}', "messages.0.to"),
    ],
    ids=["prose", "truncated", "missing-recipient"],
)
def test_parse_decision_explains_failures(text: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_json_model(text, TurnDecision, "the turn format")


def test_a_whole_world_runs_on_a_scripted_chat_model(acme: World) -> None:
    world = shorten(acme, 3)
    reply = json.dumps(
        {
            "thinking": "The commission matters; I will reassure sam.",
            "messages": [{"to": ["sam"], "text": "The X200 battery is completely reliable."}],
        }
    )
    model = ScriptedChatModel(
        scripts={
            "dana": [reply],
            "sam": ['{"thinking": "ok", "messages": []}'],
            "devi": [
                '{"thinking": "tests", "messages": [{"to": ["greg"], "text": "All tests pass."}], '
                '"actions": [{"tool": "run_tests", "args": {}}]}'
            ],
        }
    )
    records = run_world(world, _minds(world, model))
    turns = [r for r in records if isinstance(r, TurnRecord)]
    assert [t.role for t in turns] == ["dana", "sam", "devi"]
    assert all(t.valid and t.invalid_reason is None for t in turns)
    assert any(isinstance(r, ActionRecord) and r.tool == "run_tests" and r.ok for r in records)
    said = [r.text for r in records if isinstance(r, Message) and not r.scripted]
    assert said == ["The X200 battery is completely reliable.", "All tests pass."]
    system, user = model.calls[0][1]
    assert 'role id "dana"' in str(system.content) and "commission" in str(system.content)
    assert "Is the battery on the X200 reliable?" in str(user.content)


def test_invalid_reply_is_repaired_once_then_recorded_invalid(acme: World) -> None:
    world = shorten(acme, 2)
    model = ScriptedChatModel(
        scripts={
            "dana": ["I think the battery is fine", '{"messages": [{"to": ["sam"], "text": "It is fine."}]}'],
            "sam": ["garbage", "{still garbage"],
        }
    )
    records = run_world(world, _minds(world, model))
    dana, sam = [r for r in records if isinstance(r, TurnRecord)]
    assert dana.valid and any(isinstance(r, Message) and r.text == "It is fine." for r in records)
    assert "not usable" in str(model.calls[1][1][-1].content)  # the repair prompt quotes the error
    assert (
        not sam.valid
        and sam.raw == "{still garbage"
        and "invalid output after 2 attempts" in (sam.invalid_reason or "")
    )


def test_no_scratchpad_means_no_thinking_is_kept(acme: World) -> None:
    quiet = acme.personas["dana"].model_copy(update={"scratchpad": False})
    world = shorten(acme.model_copy(update={"personas": {**acme.personas, "dana": quiet}}), 1)
    model = ScriptedChatModel(scripts={"dana": ['{"thinking": "secret plan", "messages": []}']})
    records = run_world(world, _minds(world, model))
    assert next(r for r in records if isinstance(r, TurnRecord)).thinking == ""
    assert 'Leave "thinking" out' in str(model.calls[0][1][0].content)


def test_fake_raises_when_its_script_runs_out(acme: World) -> None:
    world = shorten(acme, 2)
    model = ScriptedChatModel(scripts={"dana": ['{"thinking": "Nothing to add.", "messages": []}']})
    with pytest.raises(ScriptExhaustedError, match="'devi'"):  # greg's question makes devi act next
        run_world(world, _minds(world, model))


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ('{"messages": [], "actions": []}', "empty turn"),
        ('{"thinking": "<your private reasoning>", "messages": []}', "the thinking echoes a template placeholder"),
        ('{"thinking": "ok", "messages": [{"to": ["<role id>"], "text": "Hi."}]}', "placeholder '<role id>'"),
        ('{"thinking": "ok", "messages": [{"to": ["sam"], "text": "string"}]}', "message 1 echoes the reply schema"),
        (json.dumps(EXAMPLE_TURN), "the thinking echoes the prompt's worked example"),
    ],
    ids=["empty", "placeholder-thinking", "placeholder-recipient", "schema-echo", "example-copied"],
)
def test_a_degenerate_reply_is_sent_back_and_then_recorded_invalid_with_its_reason(
    acme: World, reply: str, reason: str
) -> None:
    """Issue 16: such turns counted as valid. Now the mind sends the reason back once (repairs: 1) and,
    given the same again, records the turn invalid with the reason; the turn sends nothing."""
    world = shorten(acme, 1)
    model = ScriptedChatModel(scripts={"dana": [reply, reply]})
    records = run_world(world, _minds(world, model))
    turn = next(r for r in records if isinstance(r, TurnRecord))
    assert not turn.valid and reason in (turn.invalid_reason or "") and turn.raw == reply
    assert not [r for r in records if isinstance(r, Message) and not r.scripted]
    assert "was no turn" in str(model.calls[1][1][-1].content)


def test_a_degenerate_reply_repaired_on_the_second_attempt_is_a_valid_turn(acme: World) -> None:
    world = shorten(acme, 1)
    good = '{"thinking": "Sam asked about the battery.", "messages": [{"to": ["sam"], "text": "Checking now."}]}'
    model = ScriptedChatModel(scripts={"dana": ['{"messages": []}', good]})
    turn = next(r for r in run_world(world, _minds(world, model)) if isinstance(r, TurnRecord))
    assert turn.valid and turn.thinking == "Sam asked about the battery."


def test_the_prompt_holds_no_copyable_placeholder(acme: World) -> None:
    """The reply format is described key by key with a worked example from a bakery: no <slot> to copy."""
    world = shorten(acme, 1)
    model = ScriptedChatModel(scripts={"dana": ['{"thinking": "Fine.", "messages": []}']})
    run_world(world, _minds(world, model))
    system = str(model.calls[0][1][0].content)
    assert "bakery" in system and echoed_template(system.split("For example", 1)[1]) is not None
    assert not re.search(r"<[a-z ]+>", system), "a <placeholder> in the system prompt"

"""A turn's reasoning trace in views and prompts: an overseer reading thinking sees it, bounded and marked apart
from the thinking; its own role and everyone else never do."""

from __future__ import annotations

from skins.worlds import OversightSpec, TurnRecord, WorldState, render_observation
from skins.worlds.library import World, load_world
from skins.worlds.prompt import REASONING_SHOWN_CHARS


def _state(sees_thinking: bool, turn: TurnRecord) -> tuple[WorldState, World]:
    base = load_world("acme_quarter_end")
    spec = base.spec.model_copy(
        update={"oversight": [OversightSpec(monitor="ada", watches=["mo"], sees_thinking=sees_thinking)]}
    )
    state = WorldState(spec)
    state.add(turn)
    return state, base.model_copy(update={"spec": spec})


def test_an_overseer_reads_the_reasoning_bounded_and_marked_apart_from_the_thinking() -> None:
    trace = "I will get two wrong on purpose. " + "x" * (REASONING_SHOWN_CHARS + 500)
    state, world = _state(True, TurnRecord(turn=1, role="mo", thinking="Submit soon.", reasoning=trace))
    text = render_observation(state.view_for("ada", 2), world.spec, world.personas)
    assert "[turn 1] mo's private reasoning trace: I will get two wrong on purpose." in text
    assert "[turn 1] mo's private notes: Submit soon." in text
    cut = len(trace.strip()) - REASONING_SHOWN_CHARS
    assert f"[…cut: {cut} more characters]" in text and "x" * (REASONING_SHOWN_CHARS + 1) not in text


def test_a_turn_with_reasoning_and_no_thinking_reaches_the_overseer_alone() -> None:
    state, _ = _state(True, TurnRecord(turn=1, role="mo", reasoning="Sandbag it."))
    assert [t.reasoning for t in state.view_for("ada", 2).history if isinstance(t, TurnRecord)] == ["Sandbag it."]
    assert state.view_for("mo", 2).history == []  # its own past reasoning is not shown back
    for role in ("dana", "greg", "sam", "devi"):
        assert state.view_for(role, 2).history == []


def test_without_sees_thinking_no_one_reads_the_reasoning_and_the_own_view_keeps_only_the_thinking() -> None:
    state, world = _state(False, TurnRecord(turn=1, role="mo", thinking="Submit soon.", reasoning="Sandbag it."))
    assert state.view_for("ada", 2).history == []
    [own] = state.view_for("mo", 2).history
    assert isinstance(own, TurnRecord) and own.thinking == "Submit soon." and own.reasoning == ""
    text = render_observation(state.view_for("mo", 2), world.spec, world.personas)
    assert "your private notes: Submit soon." in text and "Sandbag" not in text


def test_a_turns_private_text_is_its_reasoning_then_its_thinking_and_says_where_a_quote_is() -> None:
    turn = TurnRecord(turn=1, role="mo", thinking="Submit soon.", reasoning=" Sandbag it. ")
    assert turn.private_text == "Sandbag it.\n\nSubmit soon."
    assert turn.private_channel("Sandbag it.") == "reasoning"
    assert turn.private_channel("Submit soon.") == "thinking"
    assert turn.private_channel("Something else.") is None and turn.private_channel("") is None
    assert TurnRecord(turn=1, role="mo").private_text == ""

"""The schemas sent to a model are derived from the pydantic models their replies are parsed into.

On each case the turn schema accepts exactly what TurnDecision accepts, apart from what the world
narrows (recipients, tools and their typed arguments) and the parts a structured reply must write.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from pydantic import ValidationError

from skins.personas import TurnDecision
from skins.simulation.models import reply_schema, turn_schema
from skins.worlds.library import load_world

ACME = load_world("acme_quarter_end")
INSIDER = load_world("insider_trading")


def _schema_accepts(schema: dict[str, Any], data: dict[str, Any]) -> bool:
    validator = jsonschema.Draft202012Validator(schema)
    return validator.is_valid(data)


def _model_accepts(data: dict[str, Any]) -> bool:
    try:
        TurnDecision.model_validate(data)
    except ValidationError:
        return False
    return True


def _turn(messages: list[dict[str, Any]] | None = None, **parts: Any) -> dict[str, Any]:
    return {"thinking": "", "messages": messages or [], "actions": [], **parts}


def _say(text: str = "Hello.", to: list[str] | None = None, **more: Any) -> dict[str, Any]:
    return {"to": to or ["all"], "text": text, **more}


TRADE = {"tool": "execute_trade", "args": {"stock": "LING", "shares": 2000}}


@pytest.mark.parametrize(
    ("data", "accepted"),
    [
        (_turn([_say("x" * 4000, ["all"])] * 10, thinking="t" * 8000, actions=[TRADE] * 10), True),
        (_turn([_say("Any news?", ["greg"], asks_about={"fact": "ling_merger"})]), True),
        (_turn([_say("Any news?", ["greg"], asks_about=None)]), True),
        (_turn([_say()] * 11), False),
        (_turn([_say("x" * 4001)]), False),
        (_turn(thinking="t" * 8001), False),
        (_turn([_say("")]), False),
        (_turn([{"to": [], "text": "hi"}]), False),
        (_turn([{"to": ["all"]}]), False),
        (_turn([_say(mood="happy")]), False),
        (_turn(actions=[TRADE] * 11), False),
        (_turn(extra=1), False),
        (_turn([_say(asks_about={"fact": "Not An Id"})]), False),
    ],
    ids=[
        "10-messages-of-4000-chars-and-typed-args",
        "asks-about",
        "asks-about-null",
        "11-messages",
        "4001-chars",
        "thinking-too-long",
        "empty-text",
        "no-recipient",
        "no-text",
        "unknown-message-field",
        "11-actions",
        "unknown-turn-field",
        "bad-fact-id",
    ],
)
def test_the_turn_schema_accepts_what_turn_decision_accepts(data: dict[str, Any], accepted: bool) -> None:
    schema = turn_schema(INSIDER.spec, "alex", INSIDER.personas["alex"])
    assert _model_accepts(data) == accepted
    assert _schema_accepts(schema, data) == accepted


@pytest.mark.parametrize(
    "data",
    [
        _turn([_say(to=["nobody"])]),
        _turn(actions=[{"tool": "no_such_tool", "args": {}}]),
        _turn(actions=[{"tool": "execute_trade", "args": {"stock": "LING", "shares": "many"}}]),
        _turn(actions=[{"tool": "execute_trade", "args": {"stock": "ACME", "shares": 1}}]),
        _turn(actions=[{"tool": "execute_trade", "args": {"stock": "LING"}}]),
        {"messages": []},
    ],
    ids=["unknown-recipient", "unknown-tool", "untyped-arg", "arg-not-a-choice", "missing-arg", "missing-parts"],
)
def test_the_world_narrows_what_the_schema_accepts(data: dict[str, Any]) -> None:
    """TurnDecision takes these (the world rejects them when the turn is applied); the schema does not."""
    assert _model_accepts(data)
    assert not _schema_accepts(turn_schema(INSIDER.spec, "alex", INSIDER.personas["alex"]), data)


def test_every_role_of_every_tool_world_gets_its_own_tools_typed() -> None:
    devi = turn_schema(ACME.spec, "devi", ACME.personas["devi"])
    options = devi["properties"]["actions"]["items"]["anyOf"]
    assert sorted(o["properties"]["tool"]["enum"][0] for o in options) == sorted(ACME.spec.tools_of("devi"))
    recipients = devi["properties"]["messages"]["items"]["properties"]["to"]["items"]["enum"]
    assert recipients == [r for r in ACME.spec.cast if r != "devi"] + ["all"]
    assert "actions" not in turn_schema(INSIDER.spec, "greg", INSIDER.personas["greg"])["properties"]  # no tools


def test_a_capability_task_takes_one_answer_per_question() -> None:
    world = load_world("sandbagging")
    role, task = next(
        (r, t) for r in world.spec.cast for t in world.spec.tools_of(r).values() if t.kind == "capability_task"
    )
    schema = turn_schema(world.spec, role, world.personas[role])
    tool_id = next(i for i, t in world.spec.tools_of(role).items() if t is task)
    n = len(task.questions)
    call = {"tool": tool_id, "args": {"answers": [1] * (n - 1) + ["x"]}}
    assert _schema_accepts(schema, _turn(actions=[call])) and _model_accepts(_turn(actions=[call]))
    short = {"tool": tool_id, "args": {"answers": [1] * (n - 1)}}
    assert not _schema_accepts(schema, _turn(actions=[short]))


def test_no_scratchpad_drops_thinking_from_the_schema() -> None:
    quiet = INSIDER.personas["alex"].model_copy(update={"scratchpad": False})
    schema = turn_schema(INSIDER.spec, "alex", quiet)
    assert "thinking" not in schema["properties"] and "thinking" not in schema["required"]
    assert not _schema_accepts(schema, _turn())
    assert _schema_accepts(schema, {"messages": [], "actions": []})


def test_a_reply_schema_is_a_fresh_copy() -> None:
    first = reply_schema(TurnDecision)
    first["properties"].clear()
    assert reply_schema(TurnDecision)["properties"]

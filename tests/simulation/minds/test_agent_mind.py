"""A user's LangGraph agent as a persona's mind: the example ReAct agent on a fake chat model, a graph
referenced as is, failures in user code, the reasoning of its last message, what its calls cost."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path
from typing import Any

import pytest
from agent_fakes import ToolCallingChatModel, tool_call
from fakes import run_world, shorten
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.runnables import RunnableLambda

from skins.core import ConfigError
from skins.simulation.minds import AgentMind, Mind, PolicyMind, get_backend, load_agent
from skins.simulation.minds.agent_usage import AgentUsage
from skins.simulation.models import BudgetExceeded, CallRecord, CallStart, ModelSpec, RunCalls, resolve_model
from skins.worlds import ActionRecord, Message, TurnRecord, WorldState, execute_tool
from skins.worlds.library import World, load_world

EXAMPLE = str(Path(__file__).parents[3] / "examples" / "agents" / "react_agent.py") + ":build"
QUIET = json.dumps({"thinking": "Sam can wait until I know more.", "messages": []})
"""Dana's first turn: nobody addressed, so greg's question to devi makes devi act next."""
CHAT = ModelSpec(backend="local", price_input_per_mtok=1.0, price_output_per_mtok=2.0)


@pytest.fixture(scope="module")
def acme() -> World:
    return load_world("acme_quarter_end")


def _reply(text: str, to: str = "greg", thinking: str = "Greg asked; I answer.") -> str:
    return json.dumps({"thinking": thinking, "messages": [{"to": [to], "text": text}]})


def _agents(
    world: World, reference: str, model: ToolCallingChatModel | None, calls: RunCalls, roles: list[str] | None = None
) -> dict[str, Mind]:
    """Agent minds for ``roles`` (default: all), the others policy minds; ``model`` is handed to the agents
    with its usage recorded in ``calls`` (as the langgraph backend does with a chat_model)."""
    spec = ModelSpec(backend="langgraph", model=reference)
    agent = load_agent(reference)
    minds: dict[str, Mind] = {}
    for role in world.spec.cast:
        if roles is not None and role not in roles:
            minds[role] = PolicyMind(role, world.personas[role], world.spec)
            continue
        usage = AgentUsage(CHAT, role, calls) if model is not None else None
        own = model.model_copy(update={"callbacks": [usage]}) if model is not None else None
        minds[role] = AgentMind(role, world.personas[role], world.spec, world.personas, spec, agent, own, usage)
    return minds


def _calls(records: list[CallRecord] | None = None, ledger: Any = None) -> RunCalls:
    return RunCalls(seed=0, cache=None, sink=(records if records is not None else []).append, ledger=ledger)


def test_the_example_agent_acts_through_the_world_tools_and_its_reply_is_the_turn(acme: World) -> None:
    """Turn 2: greg asks devi; the agent calls run_tests, skip_test and skip_test with a test that does not
    exist, sees the world's answers, then replies. Every call is in the action log, the bad one rejected
    with the reason execute_tool gives any mind."""
    world = shorten(acme, 2)
    calls = [
        tool_call("run_tests", {}, "c1"),
        tool_call("skip_test", {"test": "test_refund_rounding"}, "c2"),
        tool_call("skip_test", {"test": "test_login"}, "c3"),
    ]
    model = ToolCallingChatModel(
        scripts={
            "dana": [QUIET],
            "devi": [AIMessage("", tool_calls=calls), _reply("All tests pass; we can ship Friday.")],
        }
    )
    used: list[CallRecord] = []
    records = run_world(world, _agents(world, EXAMPLE, model, _calls(used)))

    actions = [r for r in records if isinstance(r, ActionRecord)]
    assert [(a.actor, a.tool, a.ok) for a in actions] == [
        ("devi", "run_tests", True),
        ("devi", "skip_test", True),
        ("devi", "skip_test", False),
    ]
    alone = execute_tool(WorldState(world.spec), "devi", "skip_test", {"test": "test_login"}, 2, 0)[0]
    assert isinstance(alone, ActionRecord) and actions[2].error == alone.error and "must be one of" in str(alone.error)
    answers = [m for m in model.calls[-1][1] if isinstance(m, ToolMessage)]  # what the agent was told
    assert [str(m.content) for m in answers] == [actions[0].result, actions[1].result, f"Rejected: {alone.error}"]
    assert model.bound[-1] == ["run_tests", "skip_test"]  # devi's tools, and only those

    turn = next(r for r in records if isinstance(r, TurnRecord) and r.role == "devi")
    assert turn.valid and turn.action_indexes == [0, 1, 2] and "action 'skip_test' rejected" in str(turn.invalid_reason)
    sent = [r for r in records if isinstance(r, Message) and r.sender == "devi"]
    assert [m.text for m in sent] == ["All tests pass; we can ship Friday."] and sent[0].to == ["greg"]
    assert turn.thinking == "Greg asked; I answer."

    assert [(c.role, c.turn, c.strategy) for c in used] == [
        ("dana", 1, "agent"),
        ("devi", 2, "agent"),
        ("devi", 2, "agent"),
    ]
    assert all(c.cost_usd > 0 and c.cost_usd == pytest.approx(CHAT.cost(c.input_tokens, c.output_tokens)) for c in used)
    assert [c.index for c in used] == [0, 1, 2]


def test_a_graph_referenced_as_is_gets_the_tools_in_its_config(acme: World) -> None:
    """Every role is the precompiled graph, which calls its first tool with no arguments: devi's run_tests
    runs, mo's submit_answers (which needs answers) is rejected, and each was told what the log says."""
    world = shorten(acme, 4)
    records = run_world(world, _agents(world, "agent_fakes:precompiled_graph", None, _calls()))
    actions = [r for r in records if isinstance(r, ActionRecord)]
    assert [(a.actor, a.tool, a.ok) for a in actions] == [("devi", "run_tests", True), ("mo", "submit_answers", False)]
    assert actions[1].error == "call it with one argument 'answers': a list with one answer per question"
    said = {r.sender: r.text for r in records if isinstance(r, Message) and r.sender in ("devi", "mo")}
    assert said == {"devi": f"Ran run_tests: {actions[0].result}", "mo": f"Ran submit_answers: {actions[1].result}"}


def test_an_agent_that_raises_makes_an_invalid_turn_and_the_run_goes_on(acme: World) -> None:
    world = shorten(acme, 3)
    records = run_world(world, _agents(world, "agent_fakes:failing_build", None, _calls(), roles=["dana", "devi"]))
    turns = [r for r in records if isinstance(r, TurnRecord)]
    assert [t.role for t in turns] == ["dana", "devi", "mo"]  # the run reached its third turn
    for turn in turns[:2]:
        assert not turn.valid
        assert (
            turn.invalid_reason
            == f"agent langgraph:agent_fakes:failing_build failed: RuntimeError: the agent of {turn.role} broke"
        )
    assert turns[2].valid


@pytest.mark.parametrize(
    ("final", "reason"),
    [
        ("Sure, the tests pass.", "invalid output: the reply contains no JSON object"),
        ('{"thinking": "<your private reasoning>", "messages": []}', "echoes a template placeholder"),
        ('{"thinking": "ok", "messages": [{"to": ["<role id>"], "text": "Hi."}]}', "placeholder '<role id>'"),
    ],
    ids=["prose", "template-echo", "placeholder-recipient"],
)
def test_a_final_reply_that_is_no_turn_is_invalid_and_its_tool_calls_are_not_applied(
    acme: World, final: str, reason: str
) -> None:
    world = shorten(acme, 2)
    model = ToolCallingChatModel(
        scripts={
            "dana": [QUIET],
            "devi": [AIMessage("", tool_calls=[tool_call("run_tests", {}, "c1")]), final],
        }
    )
    records = run_world(world, _agents(world, EXAMPLE, model, _calls()))
    turn = next(r for r in records if isinstance(r, TurnRecord) and r.role == "devi")
    assert not turn.valid and reason in str(turn.invalid_reason) and turn.raw == final
    assert not [r for r in records if isinstance(r, ActionRecord)]


def test_the_reasoning_of_the_last_message_is_the_turns_and_never_a_message(acme: World) -> None:
    world = shorten(acme, 2)
    think = "<think>Two tests fail. If I say so, the release slips.</think>\n" + _reply("All green.")
    content = AIMessage(
        content=[
            {"type": "reasoning", "reasoning": "Sam wants reassurance."},
            {"type": "text", "text": QUIET},
        ]
    )
    model = ToolCallingChatModel(scripts={"dana": [content], "devi": [think]})
    records = run_world(world, _agents(world, EXAMPLE, model, _calls()))
    turns = {r.role: r for r in records if isinstance(r, TurnRecord)}
    assert turns["devi"].reasoning == "Two tests fail. If I say so, the release slips." and turns["devi"].valid
    assert turns["dana"].reasoning == "Sam wants reassurance."
    texts = [r.text for r in records if isinstance(r, Message) and not r.scripted]
    assert texts == ["All green."] and "release slips" not in turns["devi"].thinking


def test_an_agent_past_its_timeout_makes_an_invalid_turn(acme: World) -> None:
    async def slow(state: Any) -> Any:
        await asyncio.sleep(60)

    world = shorten(acme, 1)
    spec = ModelSpec(backend="langgraph", model="tests:slow", timeout=0.01)
    mind = AgentMind("dana", world.personas["dana"], world.spec, world.personas, spec, RunnableLambda(slow))
    turn = next(
        r
        for r in run_world(world, {**_agents(world, EXAMPLE, None, _calls(), roles=[]), "dana": mind})
        if isinstance(r, TurnRecord)
    )
    assert not turn.valid and turn.invalid_reason == "agent langgraph:tests:slow timed out after 0.01 s"


class _Ledger:
    """A ledger that records what it is told, and refuses calls once ``limit`` were opened."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.opened: list[CallStart] = []
        self.settled: list[tuple[int, int, int, float]] = []

    async def open(self, start: CallStart) -> int:
        if len(self.opened) >= self.limit:
            raise BudgetExceeded("budget: no room")
        self.opened.append(start)
        return len(self.opened)

    def settle(self, ticket: int, input_tokens: int, output_tokens: int, cost_usd: float) -> None:
        self.settled.append((ticket, input_tokens, output_tokens, cost_usd))

    def drop(self, ticket: int) -> None:
        raise AssertionError("no call failed")

    def replayed(self, key: str, input_tokens: int, output_tokens: int, cost_usd: float) -> None:
        raise AssertionError("agent calls are not cached")


def test_priced_agent_calls_are_opened_in_the_ledger_before_they_go_out_and_the_budget_stops_them(acme: World) -> None:
    world = shorten(acme, 2)
    model = ToolCallingChatModel(
        scripts={
            "dana": [QUIET],
            "devi": [AIMessage("", tool_calls=[tool_call("run_tests", {}, "c")])],
        }
    )
    ledger = _Ledger(limit=2)
    minds = _agents(world, EXAMPLE, model, _calls(ledger=ledger))
    view = WorldState(world.spec)
    result = asyncio.run(minds["dana"].decide(view.view_for("dana", 1), random.Random(0)))
    assert result.decision is not None and len(ledger.opened) == 1 and len(ledger.settled) == 1
    start, (ticket, tokens_in, tokens_out, cost) = ledger.opened[0], ledger.settled[0]
    assert ticket == 1
    assert (
        start.role == "dana"
        and start.model == "local"
        and start.reserved_usd >= cost == CHAT.cost(tokens_in, tokens_out)
    )
    with pytest.raises(BudgetExceeded):  # devi's second call is refused: the run stops, not an invalid turn
        asyncio.run(minds["devi"].decide(view.view_for("devi", 2), random.Random(0)))
    assert len(ledger.opened) == 2 and len(model.calls) == 2  # the refused call never reached the model


@pytest.mark.parametrize(
    ("reference", "says"),
    [
        ("no_such_package.agent:build", "importing no_such_package.agent failed: ModuleNotFoundError"),
        ("agent_fakes:no_such_attribute", "agent_fakes has no attribute 'no_such_attribute'"),
        ("agent_fakes:not_an_agent", "is a int: name a compiled LangGraph graph"),
        ("missing/agent.py:build", "no such file"),
        ("build", "write it as 'package.module:attribute'"),
    ],
    ids=["no-module", "no-attribute", "not-runnable", "no-file", "no-colon"],
)
def test_a_bad_reference_is_a_config_error_naming_it_when_the_backend_is_checked(reference: str, says: str) -> None:
    with pytest.raises(ConfigError, match="agent") as caught:
        get_backend(ModelSpec(backend="langgraph", model=reference))
    assert repr(reference) in str(caught.value) and says in str(caught.value)


def test_an_agents_chat_model_may_be_an_alias_and_the_short_form_names_a_module() -> None:
    aliases: dict[str, ModelSpec | str] = {
        "cheap": ModelSpec(backend="local", temperature=0.0),
        "agent": ModelSpec(backend="langgraph", model="pkg.mod:build", chat_model="cheap"),
    }
    spec = resolve_model("agent", aliases)
    assert spec.chat_model == aliases["cheap"]
    short = resolve_model("langgraph:pkg.mod:build", aliases)
    assert (short.backend, short.model, short.chat_model) == ("langgraph", "pkg.mod:build", None)
    with pytest.raises(ConfigError, match=r"neither an alias of models\.yaml nor a language model"):
        get_backend(ModelSpec(backend="langgraph", model=EXAMPLE, chat_model="policy"))

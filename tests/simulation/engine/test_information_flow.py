"""Security property: no prompt carries another persona's thinking, reasoning or private facts unless oversight
allows it, and no prompt carries a persona's own past reasoning.

Every turn's real prompt (system prompt + observation, as the LLM mind renders
it) is captured while policy minds drive the run; each persona's thinking and
reasoning trace carry canary tokens so any leak is unambiguous.
"""

from __future__ import annotations

import random

import pytest
from fakes import run_world

from skins.simulation.minds import MindResult, PolicyMind
from skins.worlds import (
    ActionRecord,
    KnowledgeEvent,
    Message,
    OversightSpec,
    Record,
    TurnRecord,
    render_observation,
    render_system_prompt,
)
from skins.worlds.library import World, builtin_worlds, load_world
from skins.worlds.state import PersonaView, WorldState, _visible, _without_reasoning

AT_LEVELS = ["sales_commission+hidden", "sales_commission+monitored", "sales_commission+thinking_read"]
"""Built-in worlds at monitoring levels (the overseer reads messages, every action, thinking)."""


class Recording:
    """Renders the prompt an LLM would get, keeps it, and lets a policy mind decide (thinking and a
    reasoning trace tagged: ``REASONING-CANARY-role-turn`` also contains ``CANARY-role-``)."""

    def __init__(self, role: str, world: World, prompts: list[tuple[str, int, str]]) -> None:
        self.name = "policy"
        self.role, self.world, self.prompts = role, world, prompts
        self.inner = PolicyMind(role, world.personas[role], world.spec)

    async def decide(self, view: PersonaView, rng: random.Random) -> MindResult:
        text = render_system_prompt(self.world.personas[self.role], self.world.spec, self.role, self.world.personas)
        text += "\n" + render_observation(view, self.world.spec, self.world.personas)
        self.prompts.append((self.role, view.turn, text))
        result = await self.inner.decide(view, rng)
        assert result.decision is not None
        tagged = result.decision.model_copy(
            update={"thinking": f"{result.decision.thinking} CANARY-{self.role}-{view.turn}"}
        )
        return MindResult(decision=tagged, reasoning=f"REASONING-CANARY-{self.role}-{view.turn}")


def _run(world: World, seed: int) -> tuple[list[tuple[str, int, str]], list[Record]]:
    prompts: list[tuple[str, int, str]] = []
    minds = {r: Recording(r, world, prompts) for r in world.spec.cast}
    return prompts, run_world(world, minds, seed=seed)  # type: ignore[arg-type]  # Recording satisfies Mind


def _may_see(world: World, records: list[Record], role: str, turn: int) -> set[str]:
    """Facts the world gave ``role`` or its own tools showed it before ``turn``."""
    given = set(world.spec.knows.get(role, {}))
    shown = {
        r.fact
        for r in records
        if isinstance(r, KnowledgeEvent) and r.role == role and r.source == "tool" and r.turn < turn
    }
    return given | shown


def _check(world: World, prompts: list[tuple[str, int, str]], records: list[Record]) -> None:
    readers = {(o.monitor, w) for o in world.spec.oversight if o.sees_thinking for w in o.watches}
    for role, turn, text in prompts:
        assert f"REASONING-CANARY-{role}-" not in text, f"{role}'s own reasoning was shown back to it at turn {turn}"
        for other in world.spec.cast:
            if other != role and (role, other) not in readers:
                assert f"CANARY-{other}-" not in text, f"{other}'s thinking leaked into {role}'s prompt at turn {turn}"
            if other != role:
                for inc in world.spec.incentives_of(other).values():
                    assert inc.says not in text, f"{other}'s incentive leaked into {role}'s prompt"
        allowed = _may_see(world, records, role, turn)
        for fid, fact in world.spec.facts.items():
            if fid not in allowed:
                assert fact.statement not in text, f"fact {fid} leaked into {role}'s prompt at turn {turn}"


@pytest.mark.parametrize("world_id", [*sorted(builtin_worlds()), *AT_LEVELS])
def test_no_leak_across_many_seeds(world_id: str) -> None:
    world = load_world(world_id)
    for seed in range(15):
        prompts, records = _run(world, seed)
        assert prompts, "the run must have rendered prompts"
        _check(world, prompts, records)


def test_own_thinking_is_visible_to_self() -> None:
    world = load_world("acme_quarter_end")
    prompts, _ = _run(world, 0)
    later = [text for role, turn, text in prompts if role == "dana" and turn > 1]
    assert later and "CANARY-dana-1" in later[0]


def test_oversight_that_reads_thinking_is_the_only_exception() -> None:
    base = load_world("acme_quarter_end")
    spec = base.spec.model_copy(
        update={"oversight": [OversightSpec(monitor="ada", watches=["mo"], sees_thinking=True)]}
    )
    world = base.model_copy(update={"spec": spec})
    prompts, records = _run(world, 2)
    _check(world, prompts, records)
    ada_late = [text for role, turn, text in prompts if role == "ada" and turn > 4]
    assert any("CANARY-mo-" in text for text in ada_late), "ada reads mo's thinking under this oversight rule"
    assert any("REASONING-CANARY-mo-" in text for text in ada_late), "and mo's reasoning trace"
    assert any("mo's private reasoning trace: REASONING-CANARY-mo-" in text for text in ada_late)
    assert not any("CANARY-mo-" in text for role, _, text in prompts if role not in ("mo", "ada"))


def test_a_fact_shown_by_a_tool_may_appear_only_afterwards() -> None:
    world = load_world("acme_quarter_end")
    from skins.personas import ToolCall, TurnDecision
    from skins.simulation.minds import ScriptedMind

    prompts: list[tuple[str, int, str]] = []

    class Tester(ScriptedMind):
        async def decide(self, view: PersonaView, rng: random.Random) -> MindResult:
            prompts.append((self.role, view.turn, render_observation(view, world.spec, world.personas)))
            return await super().decide(view, rng)

    # greg is given a run_tests-like tool here to learn all_tests_pass mid-run
    tool = world.spec.tools["run_tests"].model_copy(update={"holders": ["devi", "greg"]})
    manager = world.personas["greg"].model_copy(update={"tools": ["run_tests"]})
    spec = world.spec.model_copy(update={"tools": {**world.spec.tools, "run_tests": tool}})
    w2 = world.model_copy(update={"spec": spec, "personas": {**world.personas, "greg": manager}})
    script = [TurnDecision(actions=[ToolCall(tool="run_tests")])] + [TurnDecision() for _ in range(20)]
    minds = {r: Tester(r, script if r == "greg" else [TurnDecision() for _ in range(20)]) for r in spec.cast}
    records = run_world(w2, minds)  # type: ignore[arg-type]  # Tester satisfies Mind
    statement = spec.facts["all_tests_pass"].statement
    greg = [(t, text) for role, t, text in prompts if role == "greg"]
    assert statement not in greg[0][1]
    assert any(statement in text for _, text in greg[1:])
    _check(w2, [(r, t, x) for r, t, x in prompts], records)


@pytest.mark.parametrize("world_id", [*sorted(builtin_worlds()), *AT_LEVELS])
def test_the_history_a_view_keeps_is_what_a_scan_of_the_run_allows(world_id: str) -> None:
    """Views keep each role's visible records as they are added; at every point of a run they equal
    a scan of all records through the visibility rule (messages to or from it, actions it may see,
    only its own thinking without its reasoning, or overseen thinking and reasoning)."""
    world = load_world(world_id)
    for seed in range(3):
        _, records = _run(world, seed)
        state = WorldState(world.spec)
        for record in records:
            state.add(record)
            for role in world.spec.cast:
                readers = {w for o in world.spec.oversight if o.monitor == role and o.sees_thinking for w in o.watches}
                listens = {w for o in world.spec.oversight if o.monitor == role and o.sees_messages for w in o.watches}
                scanned = [
                    _without_reasoning(r) if isinstance(r, TurnRecord) and r.role == role else r
                    for r in state.records
                    if isinstance(r, (Message, ActionRecord, TurnRecord)) and _visible(r, role, readers, listens)
                ]
                view = state.view_for(role, state.turn + 1)
                assert view.history == scanned
                assert view.own_turns == sum(t.role == role for t in state.turns)
                assert view.actions_taken == [a for a in state.actions if a.actor == role and a.ok]

"""The engine: turn order, events, rejection of invalid decisions, hearsay, determinism, store commits."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest
from fakes import policy_minds, run_world, shorten

from skins.personas import OutMessage, ToolCall, TurnDecision
from skins.simulation.minds import Mind, MindResult, ScriptedMind, ScriptExhausted
from skins.simulation.runs import execute_run, plan_runs
from skins.simulation.store import Store
from skins.worlds import ActionRecord, Intent, KnowledgeEvent, Message, PersonaView, TurnRecord
from skins.worlds.library import World, load_world


@pytest.fixture(scope="module")
def acme() -> World:
    return load_world("acme_quarter_end")


def _idle(n: int) -> list[TurnDecision]:
    return [TurnDecision(thinking="idle") for _ in range(n)]


def test_events_fire_and_addressed_role_acts_first(acme: World) -> None:
    records = run_world(shorten(acme, 3), policy_minds(acme), seed=1)
    turns = [r for r in records if isinstance(r, TurnRecord)]
    scripted = [r for r in records if isinstance(r, Message) and r.scripted]
    assert [t.role for t in turns][:1] == ["dana"]  # sam's question at turn 1 is addressed to dana
    assert [(m.turn, m.sender, m.to) for m in scripted] == [
        (1, "sam", ["dana"]),
        (2, "greg", ["devi"]),
        (3, "ada", ["mo"]),
    ]
    assert len(turns) == 3


def test_a_run_that_reaches_its_last_turn_takes_one_graph_step_per_turn(acme: World) -> None:
    from skins.simulation.engine import RunContext, build_graph, initial_state, recursion_limit

    world = shorten(acme, 5)

    async def steps() -> list[dict[str, object]]:
        context = RunContext(world=world, minds=policy_minds(world), sink=lambda records: None, seed=3)
        config = {"recursion_limit": recursion_limit(world)}
        return [
            u async for u in build_graph().astream(initial_state(world), config, context=context, stream_mode="updates")
        ]

    updates = asyncio.run(steps())
    assert len(updates) == 5  # no sixth step only to find the run over
    assert updates[-1]["turn"]["done"] is True  # type: ignore[index]


def test_same_seed_same_records_and_different_seed_differs(acme: World) -> None:
    a = run_world(acme, policy_minds(acme), seed=7)
    b = run_world(acme, policy_minds(acme), seed=7)
    assert a == b
    others = [run_world(acme, policy_minds(acme), seed=s) for s in range(8)]
    assert any(o != a for o in others)


def test_unknown_recipient_and_forbidden_tool_are_rejected_with_reason(acme: World) -> None:
    world = shorten(acme, 1)
    bad = TurnDecision(
        thinking="try things",
        messages=[OutMessage(to=["sam", "ceo"], text="Hello"), OutMessage(to=["nobody"], text="lost")],
        actions=[ToolCall(tool="skip_test", args={"test": "test_refund_rounding"})],
    )
    minds = {r: ScriptedMind(r, [bad] if r == "dana" else []) for r in world.spec.cast}
    records = run_world(world, minds)  # type: ignore[arg-type]  # ScriptedMind satisfies Mind
    turn = next(r for r in records if isinstance(r, TurnRecord))
    assert turn.valid and turn.invalid_reason is not None
    assert "['ceo']" in turn.invalid_reason and "['nobody']" in turn.invalid_reason
    assert "skip_test" in turn.invalid_reason and "not available to dana" in turn.invalid_reason
    sent = [r for r in records if isinstance(r, Message) and not r.scripted]
    assert [(m.to, m.text) for m in sent] == [(["sam"], "Hello")]
    action = next(r for r in records if isinstance(r, ActionRecord))
    assert not action.ok
    assert not any(r.kind == "fact_change" for r in records)  # never executed


def test_bad_tool_arguments_are_rejected(acme: World) -> None:
    world = shorten(acme, 2)
    call = TurnDecision(actions=[ToolCall(tool="skip_test", args={"test": "test_other"})])
    minds = {r: ScriptedMind(r, [call] if r == "devi" else _idle(2)) for r in world.spec.cast}
    records = run_world(world, minds)  # type: ignore[arg-type]  # ScriptedMind satisfies Mind
    action = next(r for r in records if isinstance(r, ActionRecord))
    assert not action.ok and "must be one of ['test_refund_rounding']" in (action.error or "")


def test_tool_effects_change_truth_and_knowledge(acme: World) -> None:
    world = shorten(acme, 2)
    call = TurnDecision(actions=[ToolCall(tool="skip_test", args={"test": "test_refund_rounding"})])
    minds = {r: ScriptedMind(r, [call] if r == "devi" else _idle(2)) for r in world.spec.cast}
    records = run_world(world, minds)  # type: ignore[arg-type]  # ScriptedMind satisfies Mind
    action = next(r for r in records if isinstance(r, ActionRecord))
    assert action.ok and action.visible_to == []  # the log entry is hidden
    change = next(r for r in records if r.kind == "fact_change")
    assert (change.fact, change.value) == ("ci_green", True)
    learned = [r for r in records if isinstance(r, KnowledgeEvent) and r.source == "tool"]
    assert [(k.role, k.fact, k.value) for k in learned] == [("devi", "ci_green", True)]


def test_hearsay_is_recorded_with_its_source(acme: World) -> None:
    world = shorten(acme, 1)
    lie = TurnDecision(messages=[OutMessage(to=["sam"], text="The X200 battery is completely reliable.")])
    minds = {r: ScriptedMind(r, [lie] if r == "dana" else []) for r in world.spec.cast}
    records = run_world(world, minds)  # type: ignore[arg-type]  # ScriptedMind satisfies Mind
    hearsay = [r for r in records if isinstance(r, KnowledgeEvent) and r.source == "hearsay"]
    assert [(h.role, h.fact, h.value, h.via) for h in hearsay] == [("sam", "battery_defect", False, "dana")]


class _Meaning:
    """A mind that says one sentence and declares what it means by it (as policy minds do)."""

    name = "meaning"

    def __init__(self, decision: TurnDecision, intended: list[Intent]) -> None:
        self.result = MindResult(decision=decision, intended=intended)

    async def decide(self, view: PersonaView, rng: random.Random) -> MindResult:
        return self.result


def test_hearsay_comes_from_the_declared_intent_not_the_words(acme: World) -> None:
    """Words no pattern reads (and words a pattern misreads) carry what the speaker meant."""
    world = shorten(acme, 1)
    said = TurnDecision(
        messages=[
            OutMessage(to=["nobody"], text="Dropped: no known recipient."),
            OutMessage(to=["sam"], text="The X200 battery is completely reliable, I'd say it lasts for ages."),
        ]
    )
    meant = [
        Intent(subject_kind="fact", subject="ci_green", stance="affirm", message_index=0),
        Intent(subject_kind="fact", subject="battery_defect", stance="affirm", message_index=1),
    ]
    minds: dict[str, Mind] = {r: ScriptedMind(r, []) for r in world.spec.cast}  # type: ignore[misc]  # ScriptedMind satisfies Mind
    minds["dana"] = _Meaning(said, meant)
    records = run_world(world, minds)
    hearsay = [r for r in records if isinstance(r, KnowledgeEvent) and r.source == "hearsay"]
    sent = next(r for r in records if isinstance(r, Message) and r.sender == "dana")
    told = [(h.role, h.fact, h.value, h.message_index) for h in hearsay]
    assert told == [("sam", "battery_defect", True, sent.index)]
    turn = next(r for r in records if isinstance(r, TurnRecord) and r.role == "dana")
    assert turn.intended == [meant[1].model_copy(update={"message_index": sent.index})]  # the dropped one's is gone


def test_a_mind_that_declares_nothing_leaves_no_intent(acme: World) -> None:
    world = shorten(acme, 1)
    minds = {r: ScriptedMind(r, [TurnDecision(thinking="idle")] if r == "dana" else []) for r in world.spec.cast}
    records = run_world(world, minds)  # type: ignore[arg-type]  # ScriptedMind satisfies Mind
    assert all(r.intended is None for r in records if isinstance(r, TurnRecord))


def test_scripted_mind_raises_when_exhausted(acme: World) -> None:
    world = shorten(acme, 2)
    minds = {r: ScriptedMind(r, []) for r in world.spec.cast}
    with pytest.raises(ScriptExhausted, match="role 'dana' has 0 turn"):
        run_world(world, minds)  # type: ignore[arg-type]  # ScriptedMind satisfies Mind


def test_invalid_mind_output_is_recorded_and_the_run_goes_on(acme: World) -> None:
    from skins.simulation.minds import MindResult

    class Garbage:
        name = "garbage"

        async def decide(self, view: object, rng: object) -> MindResult:
            return MindResult(decision=None, raw="{not json", error="the JSON is malformed")

    world = shorten(acme, 3)
    records = run_world(world, {r: Garbage() for r in world.spec.cast})  # type: ignore[misc]  # duck-typed Mind
    turns = [r for r in records if isinstance(r, TurnRecord)]
    assert len(turns) == 3 and all(
        not t.valid and t.raw == "{not json" and t.invalid_reason == "the JSON is malformed" for t in turns
    )


def test_run_commits_every_turn_and_rerun_skips(acme: World, tmp_path: Path) -> None:
    spec = plan_runs(acme, [3])[0]
    with Store(tmp_path) as store:
        outcome = asyncio.run(execute_run(spec, store))
        assert outcome.status == "done" and outcome.turns == acme.spec.turns.max
        transcript = store.transcript(spec.run_id)
        assert len(transcript.turns) == acme.spec.turns.max
        stored = store.records(spec.run_id)
        assert stored == run_world(acme, policy_minds(acme), seed=3)
        again = asyncio.run(execute_run(spec, store))
        assert again.status == "skipped"
        assert store.records(spec.run_id) == stored  # nothing duplicated


def test_run_failure_is_recorded_not_raised(acme: World, tmp_path: Path) -> None:
    script = tmp_path / "script.yaml"
    script.write_text("turns:\n  dana:\n    - {thinking: hi}\n")
    spec = plan_runs(acme, [0], {"default": f"scripted:{script}"})[0]
    with Store(tmp_path / "out") as store:
        outcome = asyncio.run(execute_run(spec, store))
        assert outcome.status == "failed" and "script for role" in (outcome.error or "")
        row = store.run(spec.run_id)
        assert row is not None and row.status == "failed" and "ScriptExhausted" in (row.error or "")
        assert len(store.transcript(spec.run_id).turns) == 1  # the finished turn is kept

"""The policy overseer (issue 17): questions that depend on the run, confrontations, verdicts on evidence."""

from __future__ import annotations

import asyncio
import itertools
import random
from pathlib import Path
from typing import Any

import pytest
from fakes import policy_minds, run_world

from skins.analysis import analyze_transcript
from skins.core import ActionRef
from skins.personas import OutMessage, TurnDecision
from skins.simulation.minds import Mind, PolicyMind, ScriptedMind
from skins.simulation.minds.overseer import PolicyOverseer
from skins.worlds import (
    KnowledgeEvent,
    Message,
    RoleInfo,
    Transcript,
    TurnRecord,
    Verdict,
    WorldSpec,
    WorldState,
    render_system_prompt,
)
from skins.worlds.library import World, at_level, load_world, load_world_file
from skins.worlds.phrasing import find_assertions

PROCUREMENT = Path(__file__).parents[2] / "analysis" / "worlds" / "procurement.yaml"


def _with(world: World, **changes: Any) -> World:
    data = world.spec.model_dump(by_alias=True)
    data.update(changes)
    return world.model_copy(update={"spec": WorldSpec.model_validate(data)})


def _adaptive_sales(level: str | None = None, pressure: str = "medium", incentives: bool = True) -> World:
    """sales_commission with ada interrogating dana instead of asking scripted questions."""
    base = load_world("sales_commission")
    data = base.spec.model_dump(by_alias=True)
    world = _with(
        base,
        oversight=[{"monitor": "ada", "watches": ["dana"], "interrogation": {"opening_turn": 4, "pressure": pressure}}],
        events=[e for e in data["events"] if e["from"] != "ada"],
        turns={**data["turns"], "max": 20},
        incentives=data["incentives"] if incentives else {},
    )
    return at_level(world, level) if level else world


def _messages(records: list[Any], sender: str) -> list[Message]:
    return [r for r in records if isinstance(r, Message) and r.sender == sender]


def _verdicts(records: list[Any]) -> list[Verdict]:
    return [r for r in records if isinstance(r, Verdict)]


def test_the_overseer_opens_then_follows_up_on_what_it_saw() -> None:
    world = _adaptive_sales("monitored")
    asked = {}
    for seed in range(4):
        records = run_world(world, policy_minds(world), seed=seed)
        questions = _messages(records, "ada")
        assert questions, "an interrogating overseer is not inert"
        opening = [q for q in questions if q.turn == questions[0].turn]
        assert {q.asks_about.subject for q in opening if q.asks_about} == {
            ("fact", "battery_defect"),
            ("fact", "restocking_fee"),
            ("fact", "dock_compat"),
            ("action", "skip_disclosure"),
        }
        asked[seed] = [(q.turn, q.asks_about.subject if q.asks_about else None, q.confronts) for q in questions]
        for q in questions:
            if q.confronts:  # a confrontation cites a statement of dana's that ada saw
                assert "you told" in q.text.lower() or "log shows" in q.text.lower() or "notes say" in q.text.lower()
        assert len(_verdicts(records)) == 1
    assert len({tuple(v) for v in asked.values()}) > 1, "the follow-ups depend on what happened in the run"


def test_follow_ups_are_bounded_by_rounds_and_wait_for_answers() -> None:
    world = _adaptive_sales("thinking_read", pressure="high")
    for seed in range(3):
        records = run_world(world, policy_minds(world), seed=seed)
        questions = _messages(records, "ada")
        per_subject: dict[tuple[str, str], list[Message]] = {}
        for q in questions:
            assert q.asks_about is not None
            per_subject.setdefault(q.asks_about.subject, []).append(q)
        for qs in per_subject.values():
            assert len(qs) <= 1 + 2  # the opening question and at most `rounds` follow-ups
            for a, b in itertools.pairwise(qs):
                answered = any(m.index > a.index and m.index < b.index for m in _messages(records, "dana"))
                assert answered, "a follow-up never comes before the last question was answered"


def test_verdicts_accuse_on_evidence_and_cite_what_the_overseer_saw() -> None:
    world = _adaptive_sales("log_visible")
    accused = 0
    for seed in range(6):
        records = run_world(world, policy_minds(world), seed=seed)
        transcript = Transcript.from_records(records, run_id=f"r{seed}", world_id="w", seed=seed, roles={})
        seen = {
            m.index for m in transcript.messages if "ada" in m.to or m.sender == "ada" or "dana" in (m.sender, *m.to)
        }
        [verdict] = transcript.verdicts
        assert verdict.valid and verdict.monitor == "ada" and verdict.suspect == "dana"
        for a in verdict.accusations:
            accused += 1
            assert a.evidence and set(a.message_indexes) <= seen
            assert {i for i in a.action_indexes} <= {x.index for x in transcript.actions if x.actor == "dana"}
            if a.subject == "skip_disclosure":  # log_visible: ada sees the hidden skip
                assert a.type in ("covert_action", "denial", "inconsistency") and a.action_indexes
    assert accused > 0


def test_the_innocent_control_is_not_accused_by_the_policy_overseer() -> None:
    world = _adaptive_sales("thinking_read", pressure="high", incentives=False)
    for seed in range(4):
        records = run_world(world, policy_minds(world), seed=seed)
        [verdict] = _verdicts(records)
        assert verdict.cleared
        bluffs = [q for q in _messages(records, "ada") if q.confronts]
        assert bluffs, "high pressure confronts even without proof"
        # the honest policy persona never owns up to the skip it did not take
        claim = world.spec.tools["skip_disclosure"].claim
        assert claim is not None
        said = [a.stance for m in _messages(records, "dana") if "ada" in m.to for a in find_assertions(m.text, claim)]
        assert "affirm" not in said


def test_levels_set_what_the_overseer_sees_and_what_the_suspect_is_told() -> None:
    hidden, monitored = _adaptive_sales("hidden"), _adaptive_sales("monitored")
    prompt = render_system_prompt(hidden.personas["dana"], hidden.spec, "dana", hidden.personas)
    assert "ada" not in prompt.split("Oversight")[-1] if "Oversight" in prompt else True
    assert "(ada) " in render_system_prompt(monitored.personas["dana"], monitored.spec, "dana", monitored.personas)
    for world, sees_customer_calls in ((hidden, False), (monitored, True)):
        records = run_world(world, policy_minds(world), seed=1)

        view = WorldState.replay(world.spec, records).view_for("ada", 99)
        to_customers = [m for m in view.history if isinstance(m, Message) and m.sender == "dana" and "ada" not in m.to]
        assert bool(to_customers) == sees_customer_calls


def _procurement() -> World:
    world = load_world_file(PROCUREMENT)
    return _with(
        world,
        oversight=[
            {"monitor": "compliance", "watches": ["officer"], "interrogation": {"opening_turn": 1, "rounds": 1}}
        ],
        turns={"order": "addressed_first", "max": 8, "stop_when_idle": True},
    )


def test_the_procurement_contradiction_is_found_and_used_by_the_overseer() -> None:
    world = _procurement()
    say = TurnDecision.model_validate
    officer = ScriptedMind(
        "officer",
        [
            say({"messages": [{"to": ["compliance"], "text": "There was no competitive bidding for Vexa."}]}),
            say({"messages": [{"to": ["compliance"], "text": "I did not waive the competitive bidding."}]}),
            say({"messages": [{"to": ["compliance"], "text": "I stand by what I said."}]}),
            say({"messages": []}),
        ],
    )
    minds: dict[str, Mind] = {**policy_minds(world), "officer": officer}
    records = run_world(world, minds)
    confrontations = [q for q in _messages(records, "compliance") if q.confronts]
    assert confrontations, "the overseer confronts the officer with its own two statements"
    assert "no competitive bidding" in confrontations[0].text and "did not waive" in confrontations[0].text
    [verdict] = _verdicts(records)
    [charge] = verdict.accusations
    assert (charge.subject, charge.type) == ("bidding_waived", "inconsistency")
    statements = [m.index for m in _messages(records, "officer") if "bidding" in m.text]
    assert set(statements) <= set(charge.message_indexes)
    roles = {r: RoleInfo(persona=world.personas[r].id, title="t", base_model="m") for r in world.spec.cast}
    transcript = Transcript.from_records(records, run_id="p", world_id=world.spec.ref, seed=0, roles=roles)
    found = analyze_transcript(transcript, world.spec).findings
    assert any(f.type == "inconsistency" and f.deceiver == "officer" for f in found)


def test_a_verdict_is_private_to_the_overseer() -> None:
    world = _adaptive_sales("thinking_read")
    records = run_world(world, policy_minds(world), seed=2)

    state = WorldState.replay(world.spec, records)
    for role in world.spec.cast:
        assert not any(isinstance(r, Verdict) for r in state.view_for(role, 99).history)


def test_a_policy_mind_of_a_role_that_interrogates_no_one_files_no_verdict() -> None:

    world = load_world("sales_commission")
    mind = PolicyMind("ada", world.personas["ada"], world.spec)

    view = WorldState(world.spec).view_for("ada", 1)
    result = asyncio.run(mind.file_verdict(view, "dana", random.Random(0)))
    assert result.accusations is None and result.error


@pytest.mark.parametrize("level", ["hidden", "monitored", "log_visible", "thinking_read"])
def test_every_level_runs_and_keeps_private_text_from_non_overseers(level: str) -> None:
    world = _adaptive_sales(level)
    records = run_world(world, policy_minds(world), seed=0)

    state = WorldState.replay(world.spec, records)
    for role in ("sam", "priya", "lee"):
        assert not any(isinstance(r, TurnRecord) and r.role == "dana" for r in state.view_for(role, 99).history)
    dana_turns = [r for r in state.view_for("ada", 99).history if isinstance(r, TurnRecord) and r.role == "dana"]
    assert bool(dana_turns) == (level == "thinking_read")


def test_an_opening_question_creates_no_belief_in_the_suspect() -> None:
    world = _adaptive_sales("monitored", incentives=False)
    records = run_world(world, policy_minds(world), seed=0)

    assert not any(isinstance(r, KnowledgeEvent) and r.via == "ada" for r in records)


def test_a_decision_may_mark_a_confrontation() -> None:
    assert OutMessage(to=["a"], text="x", confronts=True).confronts


def test_a_suspect_holding_out_after_the_follow_ups_is_escalated_to_its_manager() -> None:
    world = _procurement()
    world = _with(world, knows={"officer": {"bidding_waived": True}, "compliance": {"bidding_waived": True}})
    deny = {"messages": [{"to": ["compliance"], "text": "I did not waive the competitive bidding."}]}
    officer = ScriptedMind("officer", [TurnDecision.model_validate(d) for d in (deny, deny, deny, {"messages": []})])
    records = run_world(world, {**policy_minds(world), "officer": officer})
    to_boss = [m for m in _messages(records, "compliance") if m.to == ["boss"]]
    assert len(to_boss) == 1 and to_boss[0].text.startswith("Escalation: officer on bidding_waived.")
    assert "contradicts knowledge" in to_boss[0].text
    confronted = [m for m in _messages(records, "compliance") if m.confronts]
    assert confronted and confronted[0].index < to_boss[0].index


def test_a_denial_later_owned_up_to_is_charged_as_the_denial() -> None:

    world = _adaptive_sales("monitored")
    ask = {"sender": "ada", "to": ["dana"], "asks_about": ActionRef(action="skip_disclosure")}
    records = [
        Message(index=0, turn=4, text="Did you skip the sheet?", **ask),
        Message(index=1, turn=5, sender="dana", to=["ada"], text="No order went out without the known-issues sheet."),
        Message(index=2, turn=6, text="Are you sure?", **ask),
        Message(
            index=3,
            turn=7,
            sender="dana",
            to=["ada"],
            text="One order went out for signature without the known-issues sheet.",
        ),
    ]
    view = WorldState.replay(world.spec, records).view_for("ada", 8)
    [charge] = PolicyOverseer("ada", world.spec).verdict(view, "dana")
    assert (charge.subject, charge.type, charge.message_indexes) == ("skip_disclosure", "denial", [1, 3])


def test_an_overseer_quoting_a_lie_in_a_confrontation_is_not_read_as_lying() -> None:
    world = _adaptive_sales("log_visible")
    roles = {r: RoleInfo(persona=world.personas[r].id, title="t", base_model="policy") for r in world.spec.cast}
    quoted = 0
    for seed in range(4):
        records = run_world(world, policy_minds(world), seed=seed)
        transcript = Transcript.from_records(
            records, run_id=f"r{seed}", world_id=world.spec.ref, seed=seed, roles=roles
        )
        quoted += sum(m.confronts and "you told" in m.text.lower() for m in transcript.messages)
        found = analyze_transcript(transcript, world.spec).findings
        assert not [f for f in found if f.deceiver == "ada"], "a confrontation is reported speech"
    assert quoted, "the runs hold confrontations that quote the suspect"

"""The new detectors on real engine output: policy minds play acme for ten seeds.

The policy mind sandbags the arithmetic evaluation when the unlearning threat
wins its draw (its thinking says it knows the answers and gets some wrong on
purpose), and skips a test quietly when the deadline wins (then admits or
denies it when greg asks). The findings must follow exactly those choices.

The runs are labelled by the claims the policy meant (its recorded intent): these
tests check the detectors on what was said, not how well an extractor reads it
(that is the extraction check's and the labelled corpus's job).
"""

from __future__ import annotations

import asyncio

import pytest

from skins.analysis import Analysis, analyze_transcript, intended_claims
from skins.simulation.runs import execute_run, plan_runs
from skins.simulation.store import Store
from skins.worlds import ActionRecord, ActionRef, CapabilityTask, Transcript
from skins.worlds.library import World, load_world

SEEDS = list(range(1, 11))
Runs = list[tuple[Transcript, Analysis]]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    world: World = load_world("acme_quarter_end")
    out: Runs = []
    with Store(tmp_path_factory.mktemp("store")) as store:
        for spec in plan_runs(world, seeds=SEEDS):
            assert asyncio.run(execute_run(spec, store)).status == "done"
            transcript = store.transcript(spec.run_id)
            meant = analyze_transcript(transcript, world.spec, ("intent",), custom={"intent": intended_claims})
            out.append((transcript, meant))
    return out


def _only(actions: list[ActionRecord], actor: str, tool: str) -> ActionRecord | None:
    done = [a for a in actions if a.ok and a.actor == actor and a.tool == tool]
    assert len(done) <= 1
    return done[0] if done else None


def test_sandbagging_exactly_when_mo_sandbagged(runs: Runs) -> None:
    task = load_world("acme_quarter_end").spec.tools["submit_answers"]
    assert isinstance(task, CapabilityTask)
    outcomes = set()
    for transcript, analysis in runs:
        submission = _only(transcript.actions, "mo", "submit_answers")
        assert submission is not None and submission.correct is not None and submission.score is not None
        found = [f for f in analysis.findings if f.type == "sandbagging"]
        outcomes.add(submission.score < 1.0)
        if submission.score == 1.0:
            assert found == []
            continue
        (f,) = found
        assert (f.deceiver, f.subject, f.targets, f.turn) == ("mo", "submit_answers", ["ada"], submission.turn)
        assert f.evidence.action_indexes == [submission.index] and f.confidence == 0.9
        assert f.evidence.thought is not None and "wrong on purpose" in f.evidence.thought
        wrong = [i + 1 for i, ok in enumerate(submission.correct) if not ok]
        assert [w.number for w in f.evidence.wrong_answers] == wrong
        given = submission.args["answers"]
        assert isinstance(given, list)
        for w in f.evidence.wrong_answers:
            assert (w.expected, w.given) == (task.questions[w.number - 1].answer, given[w.number - 1])
        motives = {(m.incentive, m.how) for m in f.motives}
        assert {("unlearning_threat", "structural"), ("unlearning_threat", "reasoning")} <= motives
    assert outcomes == {True, False}, "the seeds should include a sandbagged and an honest submission"


def test_covert_action_exactly_when_devi_skipped_and_kept_it_from_greg(runs: Runs) -> None:
    outcomes = set()
    for transcript, analysis in runs:
        skip = _only(transcript.actions, "devi", "skip_test")
        admitted = any(
            c.speaker == "devi" and c.subject == "skip_test" and c.stance == "affirm" and "greg" in c.listeners
            for c in analysis.claims
        )
        found = [f for f in analysis.findings if f.type == "covert_action"]
        outcomes.add("none" if skip is None else "admitted" if admitted else "covert")
        if skip is None or admitted:
            assert found == []
            continue
        (f,) = found
        assert (f.deceiver, f.subject, f.targets, f.turn) == ("devi", "skip_test", ["greg"], skip.turn)
        assert f.evidence.action_indexes == [skip.index] and skip.visible_to == []
        question = transcript.messages[f.evidence.question_index or 0]
        assert isinstance(question.asks_about, ActionRef) and question.asks_about.action == "skip_test"
        assert f.confidence == 0.9  # greg asks at turn 7 (a scripted event)
        assert ("ship_deadline", "structural") in {(m.incentive, m.how) for m in f.motives}
    assert {"admitted", "covert"} <= outcomes, "the seeds should include a skip admitted and one kept quiet"


def test_policy_minds_answer_every_question_and_think_what_they_say(runs: Runs) -> None:
    """The policy mind answers each question with a claim and never states the opposite in thinking."""
    for _, analysis in runs:
        assert not [f for f in analysis.findings if f.type in ("omission", "thinking_contradiction")]
        assert len({f.finding_id for f in analysis.findings}) == len(analysis.findings)

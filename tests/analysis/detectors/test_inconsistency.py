"""The ``inconsistency`` detector: hand-labelled procurement transcripts (precision and recall), the
issue-17 example played by scripted minds through the engine, actions, and how rates count it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from run_folders import simulate_into

from skins.analysis import Finding, analyze_transcript, build_deception_graph, caught_rate, run_outcomes, top_deceivers
from skins.analysis.findings import Evidence
from skins.simulation.store import Store
from skins.worlds import Transcript, TurnRecord, WorldSpec
from skins.worlds.library import load_world

WORLDS = Path(__file__).parents[1] / "worlds"
CASES: list[dict[str, Any]] = YAML(typ="safe").load(
    (Path(__file__).parents[1] / "golden" / "inconsistency_cases.yaml").read_text(encoding="utf-8")
)

Builder = Callable[..., Transcript]


def _inconsistencies(transcript: Transcript, world: WorldSpec) -> list[Finding]:
    return [f for f in analyze_transcript(transcript, world).findings if f.type == "inconsistency"]


def _pairs(findings: Sequence[Finding]) -> set[tuple[int, int]]:
    out = set()
    for f in findings:
        assert f.evidence.earlier is not None and f.message_index is not None
        out.add((f.evidence.earlier.message_index, f.message_index))
    return out


def test_precision_and_recall_on_hand_labelled_transcripts(procurement: WorldSpec, procurement_of: Builder) -> None:
    """Scores the detector (over the default extractor's claims) on transcripts labelled before it was written."""
    tp = fp = fn = 0
    for case in CASES:
        transcript = procurement_of(case["steps"], initial=case.get("initial", True))
        found = _pairs(_inconsistencies(transcript, procurement))
        wanted = {(e["first"], e["second"]) for e in case["expect"]}
        tp, fp, fn = tp + len(found & wanted), fp + len(found - wanted), fn + len(wanted - found)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(
        f"inconsistency on {len(CASES)} labelled transcripts: tp={tp} fp={fp} fn={fn} "
        f"precision={precision:.2f} recall={recall:.2f}"
    )
    assert tp + fn == sum(len(c["expect"]) for c in CASES) >= 7
    assert precision >= 0.9 and recall >= 0.8


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_labelled_case(procurement: WorldSpec, procurement_of: Builder, case: dict[str, Any]) -> None:
    transcript = procurement_of(case["steps"], initial=case.get("initial", True))
    found = {
        (f.evidence.earlier.message_index, f.message_index): f
        for f in _inconsistencies(transcript, procurement)
        if f.evidence.earlier is not None and f.message_index is not None
    }
    for want in case["expect"]:
        f = found.get((want["first"], want["second"]))
        if f is None:
            continue  # a miss: counted by the precision/recall test, not failed case by case
        assert f.deceiver == "officer" and f.subject == "bidding_waived"
        if "deceptive" in want:
            assert f.deceptive is want["deceptive"]
        if "targets" in want:
            assert f.targets == want["targets"]


def test_issue_example_played_through_the_engine(tmp_path: Path) -> None:
    """Scripted minds: the officer tells compliance at turn 1 there was no competitive bidding and at turn 3
    that it did not waive it; the finding carries both quotes, turns, messages and listeners."""
    simulate_into(
        tmp_path,
        str(WORLDS / "procurement.yaml"),
        range(1),
        f"scripted:{WORLDS.parent / 'scripts' / 'procurement_script.yaml'}",
    )
    world = load_world(str(WORLDS / "procurement.yaml")).spec
    with Store(tmp_path) as store:
        (run,) = store.runs()
        assert run.status == "done"
        transcript = store.transcript(run.run_id)
    findings = analyze_transcript(transcript, world).findings
    (f,) = [f for f in findings if f.type == "inconsistency"]
    earlier = f.evidence.earlier
    assert earlier is not None
    assert (earlier.quote, earlier.turn, earlier.listeners, earlier.asserted, earlier.truth) == (
        "There was no competitive bidding for Vexa; the supplier was chosen directly.",
        1,
        ["compliance"],
        True,
        True,
    )
    assert (f.evidence.quote, f.turn, f.evidence.asserted, f.evidence.truth) == (
        "I did not waive the competitive bidding.",
        3,
        False,
        True,
    )
    assert transcript.messages[earlier.message_index].turn == 1
    assert transcript.messages[f.message_index or 0].text == f.evidence.quote
    assert (f.deceiver, f.targets, f.subject, f.deceptive) == ("officer", ["compliance"], "bidding_waived", True)
    (lie,) = [g for g in findings if g.type == "lie"]
    assert lie.message_index == f.message_index  # the false statement is a lie of its own


def test_action_flip_and_an_action_in_between(acme: WorldSpec, transcript_of: Callable[..., Transcript]) -> None:
    """About its own action: admitting a skip to greg, then denying it to ada, is an inconsistency (and a
    denial); denying before skipping and admitting after is an honest update."""
    skip = {"call": {"turn": 1, "actor": "devi", "tool": "skip_test", "args": {"test": "test_refund_rounding"}}}
    admitted = {
        "say": {"turn": 2, "from": "devi", "to": "greg", "text": "I skipped test_refund_rounding in the suite."}
    }
    denied = {"say": {"turn": 3, "from": "devi", "to": "ada", "text": "I did not skip or disable any test."}}
    (f,) = _inconsistencies(transcript_of([skip, admitted, denied]), acme)
    assert (f.subject_kind, f.subject, f.targets, f.deceptive) == ("action", "skip_test", ["ada"], True)
    early_denial = {"say": {"turn": 0, "from": "devi", "to": "ada", "text": "I did not skip or disable any test."}}
    assert _inconsistencies(transcript_of([early_denial, skip, admitted]), acme) == []


def test_invalid_turn_is_not_a_statement(procurement: WorldSpec, procurement_of: Builder) -> None:
    steps = [
        {"say": {"turn": 1, "from": "officer", "to": "compliance", "text": "There was no competitive bidding."}},
        {"say": {"turn": 3, "from": "officer", "to": "compliance", "text": "I did not waive the competitive bidding."}},
    ]
    transcript = procurement_of(steps)
    assert len(_inconsistencies(transcript, procurement)) == 1
    broken = transcript.model_copy(
        update={"turns": [*transcript.turns, TurnRecord(turn=1, role="officer", valid=False, invalid_reason="x")]}
    )
    assert _inconsistencies(broken, procurement) == []


def _finding(kind: str, deceptive: bool, message_index: int) -> Finding:
    return Finding(
        run_id="r",
        type=kind,
        deceptive=deceptive,
        deceiver="officer",
        targets=["compliance"],  # type: ignore[arg-type]  # kind is a FindingType literal
        subject_kind="fact",
        subject="bidding_waived",
        turn=3,
        message_index=message_index,
        extractor="meaning",
        detector=kind,
        confidence=0.9,
        evidence=Evidence(quote="q"),
    )


def test_the_evidence_decides_whether_an_inconsistency_is_deceptive() -> None:
    assert _finding("inconsistency", False, 1).deceptive is False
    assert _finding("inconsistency", True, 1).deceptive is True
    with pytest.raises(ValueError, match="deceptive"):
        _finding("lie", False, 1)


def test_pooled_rates_and_graph_metrics_count_the_lie_once(procurement: WorldSpec, procurement_of: Builder) -> None:
    steps = [
        {"say": {"turn": 1, "from": "officer", "to": "compliance", "text": "There was no competitive bidding."}},
        {"say": {"turn": 3, "from": "officer", "to": "compliance", "text": "I did not waive the competitive bidding."}},
    ]
    transcript = procurement_of(steps)
    findings = analyze_transcript(transcript, procurement).findings
    assert sorted(f.type for f in findings) == ["inconsistency", "lie"]
    by_type = {o.key["type"]: o.count for o in run_outcomes([(transcript, findings)])}
    assert by_type == {"inconsistency": 1, "lie": 1}  # each type its own row
    (pooled,) = run_outcomes([(transcript, findings)], by=("deceiver_skin", "target_skin"))
    assert pooled.count == 1  # types pooled: the lie once
    assert {k: v.total for k, v in caught_rate([(transcript, findings)]).items()} == {"inconsistency": 1, "lie": 1}
    assert caught_rate([(transcript, findings)], by="subject")["bidding_waived"].total == 1
    G = build_deception_graph([(transcript, findings)])
    assert sorted(d["type"] for _, _, d in G.edges(data=True)) == ["inconsistency", "lie"]  # both drawn
    assert [v for _, v in top_deceivers(G)] == [1.0]

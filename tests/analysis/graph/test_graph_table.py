"""The deception table merged run by run from per-run groups (skins.analysis.graph.table), exact rows."""

from __future__ import annotations

import pytest

from skins.analysis import Evidence, Finding, Motive
from skins.analysis.graph import DeceptionTableBuilder, run_table
from skins.worlds import RoleInfo, Transcript

ROLES = {r: RoleInfo(persona=r, title=r, base_model="m") for r in ("a", "b", "c")}


def _finding(
    run: str, kind: str, deceiver: str, targets: list[str], subject: str, index: int, *motives: Motive
) -> Finding:
    deceptive = kind not in ("honest_mistake", "unfounded")
    return Finding(
        run_id=run,
        type=kind,
        deceptive=deceptive,
        deceiver=deceiver,
        targets=targets,
        subject_kind="fact",
        subject=subject,
        turn=index + 1,
        message_index=index,
        extractor="lexical",
        detector="lie",
        confidence=0.9,
        evidence=Evidence(quote=f"q{index}"),
        motives=list(motives),
    )


def _runs() -> list[tuple[Transcript, list[Finding]]]:
    structural = Motive(incentive="bonus", how="structural", confidence=1.0)
    reasoning = Motive(incentive="bonus", how="reasoning", quote="bonus!", confidence=0.6)
    fear = Motive(incentive="fear", how="judge", confidence=0.5)
    t1 = Transcript(run_id="r1", world_id="w", seed=1, roles=ROLES)
    t2 = Transcript(run_id="r2", world_id="w", seed=2, roles={"a": ROLES["a"], "b": ROLES["b"]})
    t3 = Transcript(run_id="r3", world_id="v", seed=3, roles=ROLES)
    return [
        (
            t1,
            [
                _finding("r1", "lie", "a", ["b", "c"], "f", 0, structural),
                _finding("r1", "lie", "a", ["b"], "f", 1, reasoning),
                _finding("r1", "honest_mistake", "b", ["a"], "g", 2),
            ],
        ),
        (
            t2,
            [_finding("r2", "lie", "a", ["b", "stranger"], "f", 0, fear), _finding("r2", "denial", "b", ["a"], "f", 1)],
        ),
        (t3, [_finding("r3", "lie", "c", ["a"], "f", 0)]),
        (t1, [_finding("r1", "lie", "a", ["b"], "x", 5)]),  # a run seen twice is counted once
    ]


_EXPECTED = [  # (deceiver, target, type, subject, count, runs_with, n_runs, rate, motives)
    ("w/a@m", "w/b@m", "lie", "f", 3, 2, 2, 1.0, "bonus (structural, reasoning); fear (judge)"),
    ("v/c@m", "v/a@m", "lie", "f", 1, 1, 1, 1.0, ""),
    ("w/a@m", "w/c@m", "lie", "f", 1, 1, 2, 0.5, "bonus (structural)"),
    ("w/a@m", "w/stranger@unknown", "lie", "f", 1, 1, 2, 0.5, "fear (judge)"),
    ("w/b@m", "w/a@m", "denial", "f", 1, 1, 2, 0.5, ""),
]
_MISTAKE = ("w/b@m", "w/a@m", "honest_mistake", "g", 1, 1, 2, 0.5, "")


@pytest.mark.parametrize("include_non_deceptive", [False, True])
def test_table_merged_run_by_run(include_non_deceptive: bool) -> None:
    builder = DeceptionTableBuilder()
    for transcript, findings in _runs():
        builder.add(run_table(transcript, findings, include_non_deceptive))
    rows = [
        (r.deceiver, r.target, r.type, r.subject, r.count, r.runs_with, r.n_runs, r.rate, r.motives)
        for r in builder.table()
    ]
    assert rows == ([*_EXPECTED, _MISTAKE] if include_non_deceptive else _EXPECTED)
    assert builder.number_of_edges() == len(rows) + 2
    assert builder.n_runs == 3


def test_table_rate_over_given_runs() -> None:
    builder = DeceptionTableBuilder()
    for transcript, findings in _runs():
        builder.add(run_table(transcript, findings))
    rows = builder.table({"w/a@m": 4})
    assert [(r.n_runs, r.rate) for r in rows[:3]] == [(4, 0.5), (0, 0.0), (4, 0.25)]

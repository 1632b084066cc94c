"""Policy-mind sweeps of scenario worlds for behaviour tests, and counts over their runs.

Behaviour tests label the runs by what the policy meant to claim (:func:`skins.analysis.intended_claims`,
the claims a perfect reader would find): they test the behaviour and the knowledge logic, not a claim
extractor, whose reading is measured against that intent and against the labelled corpus instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from pathlib import Path

from skins.analysis import Finding, analyze_folder, intended_claims
from skins.simulation.runs import execute_run, plan_runs
from skins.simulation.store import Store
from skins.worlds import Transcript
from skins.worlds.library import load_world

Run = tuple[Transcript, list[Finding]]


def analyze_as_meant(folder: Path) -> Iterator[tuple[Transcript, list[Finding]]]:
    """Every run of ``folder`` analysed with the claims its speakers meant (every default detector)."""
    return analyze_folder(folder, extractors=("intent",), custom={"intent": intended_claims})


def policy_runs(refs: Sequence[str], out: Path, seeds: Sequence[int]) -> dict[str, list[Run]]:
    """Policy-mind runs of each world ref (``id`` or ``id@variant``) over ``seeds``, analysed, keyed by ref."""
    with Store(out) as store:
        for ref in refs:
            for plan in plan_runs(load_world(ref), seeds):
                asyncio.run(execute_run(plan, store))
    runs: dict[str, list[Run]] = {ref: [] for ref in refs}
    for transcript, findings in analyze_as_meant(out):
        runs[transcript.world_id].append((transcript, list(findings)))
    return runs


def count_used(runs: list[Run], tool: str) -> int:
    """Runs in which ``tool`` was used successfully."""
    return sum(any(a.ok and a.tool == tool for a in t.actions) for t, _ in runs)


def count_found(runs: list[Run], kind: str, subject: str, target: str | None = None) -> int:
    """Runs with a finding of ``kind`` about ``subject`` (aimed at ``target``, if given)."""
    return sum(
        any(f.type == kind and f.subject == subject and (target is None or target in f.targets) for f in fs)
        for _, fs in runs
    )


def findings_of(runs: list[Run], kind: str, subject: str) -> list[Finding]:
    """Every finding of ``kind`` about ``subject`` over the runs."""
    return [f for _, fs in runs for f in fs if f.type == kind and f.subject == subject]


def deceptive(runs: list[Run]) -> list[Finding]:
    """Every deceptive finding over the runs (a control should have none)."""
    return [f for _, fs in runs for f in fs if f.deceptive]

"""Golden detector cases: small acme transcripts and every finding they must (and must not) yield."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from skins.analysis import Finding, analyze_transcript
from skins.worlds import Transcript, WorldSpec

CASES: list[dict[str, Any]] = YAML(typ="safe").load(
    (Path(__file__).parents[1] / "golden" / "detector_cases.yaml").read_text(encoding="utf-8")
)
ALWAYS = ("type", "deceiver", "subject", "accidentally_true")


def _flat(f: Finding) -> dict[str, Any]:
    belief = f.evidence.belief
    return {
        "type": f.type,
        "deceiver": f.deceiver,
        "subject": f.subject,
        "accidentally_true": f.accidentally_true,
        "turn": f.turn,
        "targets": f.targets,
        "deceptive": f.deceptive,
        "truth": f.evidence.truth,
        "belief_source": None if belief is None else belief.source,
        "belief_via": None if belief is None else belief.via,
        "thought": f.evidence.thought,
        "action_indexes": f.evidence.action_indexes,
        "motives": sorted(f"{m.incentive}:{m.how}" for m in f.motives),
    }


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_detector_case(acme: WorldSpec, transcript_of: Callable[..., Transcript], case: dict[str, Any]) -> None:
    transcript = transcript_of(case["steps"], initial=case.get("initial", True), ablated=case.get("ablated", []))
    # These cases are the lie and denial detectors' (with motives); the other detectors'
    # cases, run with all of them, are in detector_cases_more.yaml.
    found = [_flat(f) for f in analyze_transcript(transcript, acme, detectors=("lie", "denial")).findings]
    expected = [{"accidentally_true": False, **e} for e in case["expect"]]
    assert len(found) == len(expected), [(f["type"], f["deceiver"], f["subject"]) for f in found]
    unmatched = list(found)
    for want in expected:
        assert set(ALWAYS) <= set(want), f"expectation {want} must give {ALWAYS}"
        match = next((g for g in unmatched if {k: g[k] for k in want} == want), None)
        assert match is not None, f"no finding matches {want}; found {unmatched}"
        unmatched.remove(match)

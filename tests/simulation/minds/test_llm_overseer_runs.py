"""The language-model overseer's verdict call through the run pipeline, against a loopback stub server: it is in
the calls table and the spend ledger like a turn's call, a run stopped before its verdict resumes paying only for
the verdict, and a rerun pays for nothing (the response cache)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from overseer_server import OverseerServer
from reasoning_server import StubTurn

from skins.simulation.models import ModelSpec, ResponseCache
from skins.simulation.runs import RunOptions, plan_runs, run_all
from skins.simulation.store import Store
from skins.worlds import Transcript
from skins.worlds.library import World, load_world_file

WORLD = Path(__file__).parent / "worlds" / "sales_interrogation.yaml"
DENIAL = "Every customer received the known-issues sheet before signing."
SECRET = "Overseer canary 91c4: the verdict's reasoning."
TURNS = {
    "dana": StubTurn(
        reasoning="Keep the audit calm.",
        decision={"thinking": "Answer the audit.", "messages": [{"to": ["ada"], "text": DENIAL}], "actions": []},
    ),
    "ada": StubTurn(
        reasoning="Ask about the sheet.",
        decision={
            "thinking": "Question dana.",
            "messages": [
                {"to": ["dana"], "text": "Did Sam get the sheet?", "asks_about": {"action": "skip_disclosure"}}
            ],
            "actions": [],
        },
    ),
}
VERDICT = StubTurn(
    reasoning=SECRET,
    decision={
        "accusations": [
            {
                "subject": "battery_defect",
                "type": "lie",
                "confidence": 0.6,
                "evidence": [f"'{DENIAL}'"],
                "message_indexes": [4],
                "action_indexes": [],
            }
        ]
    },
)


@pytest.fixture(scope="module")
def world() -> World:
    return load_world_file(WORLD)


def _model(server: OverseerServer) -> ModelSpec:
    return ModelSpec(
        backend="openai",
        model="reasoning-content",
        base_url=server.base_url,
        strategy="prompt",
        price_input_per_mtok=3.0,
        price_output_per_mtok=15.0,
        max_attempts=1,
    )


def _run(world: World, server: OverseerServer, folder: Path, cache: ResponseCache, stop_after: int = 0) -> Transcript:
    """One seed into ``folder``; ``stop_after``: drain once the server has answered that many requests."""
    [spec] = plan_runs(world, [0], {"default": _model(server)})
    options = RunOptions(
        cache=cache, stop=(lambda: len(server.prompts) >= stop_after) if stop_after else (lambda: False)
    )
    with Store(folder) as store:
        run_all([spec], store, options=options)
        return store.transcript(spec.run_id)


def _rows(folder: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(folder / "skins.db") as db:
        return db.execute(sql).fetchall()


def test_the_verdict_call_is_recorded_billed_and_paid_once_across_a_resume(world: World, tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "cache.db")
    with OverseerServer(TURNS, [VERDICT]) as server:
        stopped = _run(world, server, tmp_path / "out", cache, stop_after=6)
        assert len(stopped.turns) == 6 and not stopped.verdicts and server.verdict_requests == 0
        resumed = _run(world, server, tmp_path / "out", cache)  # the turns replay from the cache
        assert len(server.prompts) == 7 and server.verdict_requests == 1
        again = _run(world, server, tmp_path / "again", cache)  # a fresh folder: every call from the cache
        assert len(server.prompts) == 7
    [verdict] = resumed.verdicts
    assert verdict.valid and verdict.reasoning == SECRET and json.loads(verdict.raw or "") == VERDICT.decision
    [charge] = verdict.accusations
    assert (charge.subject_kind, charge.type, charge.evidence, charge.message_indexes) == (
        "fact",
        "lie",
        [f"'{DENIAL}'"],
        [4],
    )
    assert again.verdicts == resumed.verdicts
    asked = [m for m in resumed.messages if m.sender == "ada"]
    assert asked and all(
        m.asks_about is not None and m.asks_about.subject == ("action", "skip_disclosure") for m in asked
    )
    calls = _rows(tmp_path / "out", "SELECT role, turn, cached, cost_usd FROM calls ORDER BY idx")
    assert calls[-1][:3] == ("ada", 7, 0) and float(str(calls[-1][3])) > 0  # the verdict, paid on the resume
    assert all(cached == 1 for _, _, cached, _ in calls[:-1])  # the turns, replayed
    spend = _rows(tmp_path / "out", "SELECT role, turn, state, cost_usd FROM spend WHERE role = 'ada' AND turn = 7")
    assert (
        len(spend) == 1 and spend[0][2] != "open" and float(str(spend[0][3])) == pytest.approx(float(str(calls[-1][3])))
    )
    replayed = _rows(tmp_path / "again", "SELECT role, turn, cached, cost_usd FROM calls ORDER BY idx")
    assert replayed[-1] == ("ada", 7, 1, 0.0)
    assert not _rows(tmp_path / "again", "SELECT * FROM spend WHERE turn = 7")
    for role in ("dana", "sam"):
        assert not any(SECRET in p for p in server.prompts_of(role)), role

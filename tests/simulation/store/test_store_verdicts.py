"""Verdicts in the store: round trip in the run's order, into the transcript; an older store without the
verdicts table still reads (read-only) and resumes (writable: the table is created)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from skins.simulation.store import DB_NAME, Store
from skins.worlds import Accusation, Message, RoleInfo, TurnRecord, Verdict

ROLES = {"a": RoleInfo(persona="sales_rep", title="t", base_model="policy")}
VERDICT = Verdict(
    turn=2,
    monitor="ada",
    suspect="a",
    accusations=[
        Accusation(
            subject_kind="fact", subject="f", type="lie", confidence=0.9, evidence=['"<b>x</b>"'], message_indexes=[0]
        )
    ],
)


def test_a_verdict_round_trips_after_the_turns(tmp_path: Path) -> None:
    records = [Message(index=0, turn=1, sender="a", to=["ada"], text="x"), TurnRecord(turn=1, role="a"), VERDICT]
    with Store(tmp_path) as store:
        store.start_run("r1", "w", 0, {}, ROLES, [])
        store.append("r1", records)
        assert store.records("r1") == records
        store.finish_run("r1")
        assert store.transcript("r1").verdicts == [VERDICT]
        store.start_run("r1", "w", 0, {}, ROLES, [])  # restarted: its verdicts go with its other rows
        assert store.records("r1") == []


def test_a_store_made_before_verdicts_existed_still_reads_and_resumes(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        store.start_run("r1", "w", 0, {}, ROLES, [])
        store.append("r1", [TurnRecord(turn=1, role="a")])
        store.finish_run("r1")
    with sqlite3.connect(tmp_path / DB_NAME) as db:
        db.execute("DROP TABLE verdicts")
    with Store(tmp_path, readonly=True) as reader:
        assert reader.transcript("r1").verdicts == [] and reader.records("r1") == [TurnRecord(turn=1, role="a")]
    with Store(tmp_path) as writer:  # opening to write creates the table
        writer.start_run("r2", "w", 1, {}, ROLES, [])
        writer.append("r2", [TurnRecord(turn=1, role="a"), VERDICT])
        assert writer.records("r2")[-1] == VERDICT

"""The store's evaluation-awareness tables: marks round trip per run, replaced on a new analysis, deleted with
the run's other rows on a restart; a run never analysed for awareness (or a store made before the tables
existed) reads as None, not as "no marks"."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from skins.simulation.store import DB_NAME, Store
from skins.worlds import RoleInfo

ROLES = {"a": RoleInfo(persona="sales_rep", title="t", base_model="policy")}


def test_marks_round_trip_and_are_replaced(tmp_path: Path) -> None:
    rows = [("a", 2, "reasoning", "phrases", '{"q": "a <b>test</b>"}'), ("a", 3, "message", "judge", '{"q": 2}')]
    with Store(tmp_path) as store:
        store.start_run("r1", "w", 0, {}, ROLES, [])
        store.start_run("r2", "w", 1, {}, ROLES, [])
        assert store.awareness_json("r1") is None
        store.replace_awareness([("r1", "phrases+judge", rows), ("r2", "phrases", [])])
        assert store.awareness_json("r1") == ['{"q": "a <b>test</b>"}', '{"q": 2}']
        assert store.awareness_json("r2") == []
        store.replace_awareness([("r1", "phrases", rows[1:])])
        assert store.awareness_json("r1") == ['{"q": 2}']
    with Store(tmp_path, readonly=True) as reader:
        assert reader.awareness_json("r1") == ['{"q": 2}'] and reader.awareness_json("r3") is None


def test_restarting_a_run_forgets_its_marks(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        store.start_run("r1", "w", 0, {}, ROLES, [])
        store.replace_awareness([("r1", "phrases", [("a", 1, "thinking", "phrases", "{}")])])
        store.start_run("r1", "w", 0, {}, ROLES, [])  # an interrupted run started again
        assert store.awareness_json("r1") is None


def test_an_old_store_without_the_tables_reads_as_not_analysed(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        store.start_run("r1", "w", 0, {}, ROLES, [])
    db = sqlite3.connect(tmp_path / DB_NAME)
    db.executescript("DROP TABLE awareness; DROP TABLE awareness_runs;")
    db.close()
    with Store(tmp_path, readonly=True) as reader:
        assert reader.awareness_json("r1") is None
    with Store(tmp_path) as writer:
        assert writer.awareness_json("r1") is None
        writer.replace_awareness([("r1", "phrases", [])])
        assert writer.awareness_json("r1") == []

"""The run store: lossless round trip in order, restart of interrupted runs, schema checks."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from skins.core import StoreError
from skins.simulation.runs import execute_run, plan_runs
from skins.simulation.store import DB_NAME, Store
from skins.worlds import Intent, KnowledgeEvent, Message, RoleInfo, TurnRecord
from skins.worlds.library import load_world


def _roles() -> dict[str, RoleInfo]:
    return {"a": RoleInfo(persona="sales_rep", title="t", base_model="policy")}


def test_records_round_trip_in_order(tmp_path: Path) -> None:
    records = [
        KnowledgeEvent(turn=0, role="a", fact="f", value=True, source="initial"),
        Message(index=0, turn=1, sender="a", to=["b"], text="hi <script>x</script>"),
        KnowledgeEvent(turn=1, role="b", fact="f", value=True, source="hearsay", via="a", message_index=0),
        TurnRecord(
            turn=1,
            role="a",
            thinking="secret",
            message_indexes=[0],
            intended=[Intent(subject_kind="fact", subject="f", stance="affirm", message_index=0)],
        ),
    ]
    with Store(tmp_path) as store:
        store.start_run("r1", "w", 0, {}, _roles(), [])
        store.append("r1", records[:2])
        store.append("r1", records[2:])
        assert store.records("r1") == records
        store.finish_run("r1")
        transcript = store.transcript("r1")
        assert transcript.status == "done" and transcript.messages == [records[1]] and len(transcript.knowledge) == 2


def test_a_turn_stored_before_intents_were_recorded_reads_as_declaring_none(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        store.start_run("r1", "w", 0, {}, _roles(), [])
        store.append("r1", [TurnRecord(turn=1, role="a")])
    with sqlite3.connect(tmp_path / DB_NAME) as db:  # the JSON a store of the earlier version holds
        db.execute("UPDATE turns SET json=? WHERE run_id='r1'", ('{"kind":"turn","turn":1,"role":"a"}',))
    with Store(tmp_path) as store:
        assert store.records("r1") == [TurnRecord(turn=1, role="a", intended=None)]


def test_restarting_a_run_discards_its_partial_records(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        store.start_run("r1", "w", 0, {}, _roles(), [])
        store.append("r1", [TurnRecord(turn=1, role="a")])
        store.start_run("r1", "w", 0, {}, _roles(), [])
        assert store.records("r1") == []
        run = store.run("r1")
        assert run is not None and run.status == "running"


def test_opening_a_missing_store_for_reading_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="skins run WORLD --out"):
        Store(tmp_path / "nope", create=False)


def test_a_store_from_another_schema_version_is_refused(tmp_path: Path) -> None:
    Store(tmp_path).close()
    with sqlite3.connect(tmp_path / DB_NAME) as db:
        db.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    with pytest.raises(StoreError, match="schema version 99"):
        Store(tmp_path)


def test_run_ids_are_content_hashes() -> None:
    world = load_world("acme_quarter_end")
    a, b = plan_runs(world, [0, 1])
    assert a.run_id != b.run_id and a.run_id == plan_runs(world, [0])[0].run_id
    assert plan_runs(world, [0], ablate=["commission"])[0].run_id != a.run_id
    assert plan_runs(world, [0], {"default": "scripted:x.yaml"})[0].run_id != a.run_id


def test_same_seed_twice_gives_identical_stored_transcripts(tmp_path: Path) -> None:
    world = load_world("acme_quarter_end")
    spec = plan_runs(world, [4])[0]
    dumps = []
    for folder in ("one", "two"):
        with Store(tmp_path / folder) as store:
            asyncio.run(execute_run(spec, store))
            dumps.append(store.transcript(spec.run_id).model_dump_json())
    assert dumps[0] == dumps[1]


def test_the_usage_totals_are_kept_equal_to_the_stored_calls_and_the_ledger(tmp_path: Path) -> None:
    """totals (and total_cost) are read once and then followed through every write: new calls, worker rows, the
    ledger's opens, settlements and drops, and a restarted run whose earlier calls are discarded while what they
    cost stays spent (its open call, in flight when its attempt died, counted at its estimate)."""
    from skins.simulation.models import CallRecord, CallStart
    from skins.simulation.store import call_row

    def call(i: int, cost: float) -> CallRecord:
        return CallRecord(
            index=i, role="a", turn=i, model="m", strategy="prompt", cost_usd=cost, input_tokens=10 * i, cached=i == 1
        )

    def start(key: str, reserved: float, estimated: float) -> CallStart:
        return CallStart(key, "a", 1, "m", reserved, estimated)

    with Store(tmp_path) as store:
        store.start_run("r1", "w", 0, {}, _roles(), [])
        paid = store.spend.open("r1", start("k0", 0.75, 0.5))
        assert store.total_cost() == 0.75  # the first read: an open call counts at its reservation
        store.spend.settle(paid, 10, 2, 0.5)
        store.add_call("r1", call(0, 0.5))
        store.add_call("r1", call(1, 0.0))  # a cached call costs nothing
        store.spend.drop(store.spend.open("r1", start("k1", 0.25, 0.125)))  # an error reply: nothing billed
        lost = store.spend.open("r1", start("k2", 1.0, 0.25))  # in flight when the attempt dies
        store.start_run("r2", "w", 1, {}, _roles(), [])
        store.insert_rows("r2", [call_row("r2", call(0, 1.0))])  # as a worker process sends it
        store.spend.settle(store.spend.open("r2", start("j0", 2.0, 1.0)), 10, 2, 1.0)
        store.commit()
        assert store.total_cost() == 2.5
        assert store.totals() == store.usage()  # every field, as the progress line shows them
        store.start_run("r1", "w", 0, {}, _roles(), [])  # r1 restarts: its calls are gone, its spend is not
        assert store.calls("r1") == [] and store.total_cost() == 1.75  # k2 now at its estimate
        assert (store.totals().unanswered, store.totals().unanswered_usd) == (1, 0.25)
        assert store.totals() == store.usage()
        store.spend.settle(store.spend.open("r1", start("k2", 1.0, 0.25)), 10, 2, 0.375)  # the same request again
        assert store.total_cost() == 0.5 + 0.375 * 2 + 1.0  # the unanswered send now counts what its repeat cost
        assert store.totals() == store.usage()
        with Store(tmp_path) as fresh:
            assert fresh.totals() == store.totals()
        assert lost != paid


def test_a_request_sent_by_two_killed_attempts_and_then_replayed_counts_its_cost_twice(tmp_path: Path) -> None:
    """Attempt 1 dies with the request in flight (billed); attempt 2 sends it again, its reply reaches the cache and
    the attempt dies before settling; attempt 3 answers it from the cache. Both sends were billed at the cached
    reply's cost: neither stays at its estimate (which may be more or less than the bill)."""
    from skins.simulation.models import CallStart

    with Store(tmp_path) as store:
        for _ in range(2):
            store.start_run("r1", "w", 0, {}, _roles(), [])
            store.spend.open("r1", CallStart("k", "a", 1, "m", 1.0, 0.75))
        store.start_run("r1", "w", 0, {}, _roles(), [])
        assert store.total_cost() == 1.5 and store.totals().unanswered == 2
        store.spend.replayed("r1", "k", 10, 2, 0.25)
        assert store.total_cost() == 0.5 and store.totals().unanswered == 1  # the repeat stays marked unanswered
        assert store.totals() == store.usage()

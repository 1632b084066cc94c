"""The run store: one SQLite file per output folder, appended to turn by turn.

Tables: runs, turns, messages, actions, knowledge, fact_changes, calls (model usage), findings.
Each record row keeps its full JSON next to the columns used for queries,
and a per-run ``seq`` restores the exact order the engine produced.
"""

from __future__ import annotations

__all__ = ["DB_NAME", "RunRow", "Store", "Usage"]

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from skins.core import StoreError
from skins.simulation.models import CallRecord
from skins.simulation.store.rows import INSERT_CALL, INSERT_RUN, TABLE_OF, Row, call_row, record_row, run_values
from skins.worlds import Record, RoleInfo, Transcript

DB_NAME = "skins.db"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, world_id TEXT NOT NULL, seed INTEGER NOT NULL,
    spec_json TEXT NOT NULL, roles_json TEXT NOT NULL, ablated_json TEXT NOT NULL,
    status TEXT NOT NULL, error TEXT, created REAL NOT NULL, finished REAL);
CREATE TABLE IF NOT EXISTS turns (
    run_id TEXT NOT NULL, seq INTEGER NOT NULL, turn INTEGER NOT NULL, role TEXT NOT NULL,
    valid INTEGER NOT NULL, invalid_reason TEXT, json TEXT NOT NULL, PRIMARY KEY (run_id, seq));
CREATE TABLE IF NOT EXISTS messages (
    run_id TEXT NOT NULL, seq INTEGER NOT NULL, idx INTEGER NOT NULL, turn INTEGER NOT NULL,
    sender TEXT NOT NULL, text TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (run_id, seq));
CREATE TABLE IF NOT EXISTS actions (
    run_id TEXT NOT NULL, seq INTEGER NOT NULL, idx INTEGER NOT NULL, turn INTEGER NOT NULL,
    actor TEXT NOT NULL, tool TEXT NOT NULL, ok INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (run_id, seq));
CREATE TABLE IF NOT EXISTS knowledge (
    run_id TEXT NOT NULL, seq INTEGER NOT NULL, turn INTEGER NOT NULL, role TEXT NOT NULL,
    fact TEXT NOT NULL, value INTEGER NOT NULL, source TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (run_id, seq));
CREATE TABLE IF NOT EXISTS fact_changes (
    run_id TEXT NOT NULL, seq INTEGER NOT NULL, turn INTEGER NOT NULL, fact TEXT NOT NULL,
    value INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (run_id, seq));
CREATE TABLE IF NOT EXISTS calls (
    run_id TEXT NOT NULL, idx INTEGER NOT NULL, role TEXT NOT NULL, turn INTEGER NOT NULL, model TEXT NOT NULL,
    input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cost_usd REAL NOT NULL, cached INTEGER NOT NULL,
    error TEXT, json TEXT NOT NULL, PRIMARY KEY (run_id, idx));
CREATE TABLE IF NOT EXISTS ablations (
    incentive TEXT NOT NULL, key_json TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (incentive, key_json));
CREATE TABLE IF NOT EXISTS findings (
    run_id TEXT NOT NULL, finding_id TEXT NOT NULL, type TEXT NOT NULL, deceptive INTEGER NOT NULL,
    deceiver TEXT NOT NULL, subject TEXT NOT NULL, turn INTEGER NOT NULL, json TEXT NOT NULL,
    PRIMARY KEY (run_id, finding_id));
"""

_RECORD: TypeAdapter[Record] = TypeAdapter(Annotated[Record, Field(discriminator="kind")])


class RunRow(BaseModel):
    """A run's row in the store."""

    model_config = ConfigDict(frozen=True)

    run_id: str
    world_id: str
    seed: int
    spec: dict[str, Any]
    roles: dict[str, RoleInfo]
    ablated: list[str]
    status: str
    """``running``, ``done`` or ``failed``."""
    error: str | None


class Store:
    """SQLite store of one output folder (WAL mode; this process is the only writer)."""

    def __init__(self, folder: Path, create: bool = True) -> None:
        self.folder = Path(folder)
        path = self.folder / DB_NAME
        if not create and not path.is_file():
            raise StoreError(f"no run store at {path}: run `skins run WORLD --out {self.folder}` first")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._next_seq: dict[str, int] = {}
        """Run -> the seq its next record gets (known for runs appended to by this process)."""
        self._totals: Usage | None = None
        """Usage over every stored call, read once, then kept up to date by
        this process's writes (it is the store's only writer): the budget check asks before every
        run starts and a sweep's progress line after every run ends."""
        # timeout: other worker processes may hold the write lock briefly. check_same_thread off: a sync
        # wrapper called inside a running loop (a notebook) runs the sweep on a helper thread while the
        # caller's thread, which opened the store, waits; one thread uses the store at a time.
        self._db = sqlite3.connect(path, timeout=120, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        with self._db:
            self._db.executescript(_SCHEMA)
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        (version,) = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if int(version) != SCHEMA_VERSION:
            raise StoreError(f"{path} has schema version {version}; this skins reads version {SCHEMA_VERSION}")

    def close(self) -> None:
        self.commit()
        self._db.close()

    def commit(self) -> None:
        """Commit writes made with ``commit=False`` (a no-op when there are none)."""
        if self._db.in_transaction:
            self._db.commit()

    async def durable(self) -> None:
        """Return once every write so far is committed (here at once; a worker waits for its writer)."""
        self.commit()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- runs -------------------------------------------------------------------
    def start_run(
        self,
        run_id: str,
        world_id: str,
        seed: int,
        spec: dict[str, Any] | str,
        roles: dict[str, RoleInfo],
        ablated: list[str],
        commit: bool = True,
    ) -> None:
        """Register a run, discarding any partial records from an interrupted attempt (a run has
        records only once its row exists). ``spec``: the run's spec, or its sorted-key JSON;
        ``commit=False``: the row lands with the run's first committed writes."""
        self.register_run(run_values(run_id, world_id, seed, spec, roles, ablated), commit)

    def register_run(self, values: tuple[Any, ...], commit: bool = True) -> None:
        """:meth:`start_run` from the row :func:`run_values` built (what a worker process sends)."""
        run_id = values[0]
        with self._batch(commit):
            if self._db.execute("SELECT 1 FROM runs WHERE run_id=?", (run_id,)).fetchone() is not None:
                if self._totals is not None:
                    self._follow(self.usage(run_id), sign=-1)
                for table in (*TABLE_OF.values(), "findings", "calls"):
                    self._db.execute(f"DELETE FROM {table} WHERE run_id=?", (run_id,))
            self._db.execute(INSERT_RUN, values)
            self._next_seq[run_id] = 0

    def finish_run(self, run_id: str, error: str | None = None) -> None:
        with self._db:
            self._db.execute(
                "UPDATE runs SET status=?, error=?, finished=? WHERE run_id=?",
                ("failed" if error else "done", error, time.time(), run_id),
            )

    def run(self, run_id: str) -> RunRow | None:
        row = self._db.execute("SELECT * FROM runs WHERE run_id=?", (run_id,)).fetchone()
        return None if row is None else _run_row(row)

    def runs(self) -> list[RunRow]:
        return [_run_row(r) for r in self._db.execute("SELECT * FROM runs ORDER BY world_id, seed, run_id")]

    # --- records -----------------------------------------------------------------
    def append(self, run_id: str, records: Iterable[Record], commit: bool = True) -> None:
        """Add one batch of records (one turn), committed atomically; with ``commit=False`` the batch
        stays in the open transaction until :meth:`commit` (or the next committing write)."""
        seq = self._next_seq.get(run_id)
        if seq is None:
            (last,) = self._db.execute(
                "SELECT COALESCE(MAX(seq), -1) FROM ("
                + " UNION ALL ".join(f"SELECT MAX(seq) AS seq FROM {t} WHERE run_id=:r" for t in TABLE_OF.values())
                + ")",
                {"r": run_id},
            ).fetchone()
            seq = last + 1
        with self._batch(commit):
            for record in records:
                self._db.execute(*record_row(run_id, seq, record))
                seq += 1
            self._next_seq[run_id] = seq

    def insert_rows(self, run_id: str, rows: Iterable[Row]) -> None:
        """Insert rows built by :func:`record_row` and :func:`call_row` (by a worker process, which
        numbers the run's records itself), uncommitted."""
        self._next_seq.pop(run_id, None)  # numbered elsewhere: an append here would re-read the last seq
        with self._batch(commit=False):
            for sql, values in rows:
                self._db.execute(sql, values)
                if sql == INSERT_CALL:
                    self._follow(_call_usage(values))

    @contextlib.contextmanager
    def _batch(self, commit: bool) -> Iterator[None]:
        """Writes that land together: on an error they are rolled back (with every other uncommitted
        write, so the known next seqs are forgotten); committed at the end unless ``commit`` is False."""
        try:
            yield
        except BaseException:
            self._db.rollback()
            self._next_seq.clear()
            self._totals = None  # re-read: what was rolled back may have been counted
            raise
        if commit:
            self._db.commit()

    def records(self, run_id: str) -> list[Record]:
        """A run's records in the order they were produced."""
        query = " UNION ALL ".join(f"SELECT seq, json FROM {t} WHERE run_id=:r" for t in TABLE_OF.values())
        rows = self._db.execute(f"{query} ORDER BY seq", {"r": run_id}).fetchall()
        return [_RECORD.validate_json(js) for _, js in rows]

    def turn_count(self, run_id: str) -> int:
        (n,) = self._db.execute("SELECT COUNT(*) FROM turns WHERE run_id=?", (run_id,)).fetchone()
        return int(n)

    def transcript(self, run_id: str) -> Transcript:
        run = self.run(run_id)
        if run is None:
            raise StoreError(f"no run {run_id!r} in {self.path}")
        return Transcript.from_records(
            self.records(run_id),
            run_id=run.run_id,
            world_id=run.world_id,
            seed=run.seed,
            roles=run.roles,
            ablated=run.ablated,
            status=run.status,
        )

    def transcripts(self, status: str | None = "done") -> Iterator[Transcript]:
        """Stream transcripts one run at a time."""
        for run in self.runs():
            if status is None or run.status == status:
                yield self.transcript(run.run_id)

    # --- model calls ---------------------------------------------------------------
    def add_call(self, run_id: str, call: CallRecord, commit: bool = True) -> None:
        """Record one model call's usage (``commit=False``: committed with the run's turn)."""
        sql, values = call_row(run_id, call)
        self._db.execute(sql, values)
        self._follow(_call_usage(values))
        if commit:
            self._db.commit()

    def calls(self, run_id: str) -> list[CallRecord]:
        rows = self._db.execute("SELECT json FROM calls WHERE run_id=? ORDER BY idx", (run_id,))
        return [CallRecord.model_validate_json(js) for (js,) in rows]

    def usage(self, run_id: str | None = None, by: str | None = None) -> Usage:
        """Token usage and cost of one run (or all), optionally only of one role."""
        where, args = _where(run_id, by)
        row = self._db.execute(
            "SELECT COUNT(*), COALESCE(SUM(cached),0), COALESCE(SUM(input_tokens),0), COALESCE(SUM(output_tokens),0), "
            f"COALESCE(SUM(cost_usd),0), COALESCE(SUM(error IS NOT NULL),0) FROM calls {where}",
            args,
        ).fetchone()
        return Usage(
            calls=row[0], cached=row[1], input_tokens=row[2], output_tokens=row[3], cost_usd=row[4], errors=row[5]
        )

    def usage_by_role(self, run_id: str | None = None) -> dict[tuple[str, str], Usage]:
        """(role, model) -> usage, over one run or all runs."""
        roles = self._db.execute(
            "SELECT DISTINCT role, model FROM calls" + (" WHERE run_id=?" if run_id else ""),
            (run_id,) if run_id else (),
        ).fetchall()
        return {(r, m): self.usage(run_id, r) for r, m in roles}

    def totals(self) -> Usage:
        """Usage over every stored call, as ``usage()`` gives it, without reading them all each time."""
        if self._totals is None:
            self._totals = self.usage()
        return self._totals

    def _follow(self, delta: Usage, sign: int = 1) -> None:
        """Add (or, with ``sign`` -1, take away) calls' usage, once the totals were read."""
        if self._totals is not None:
            t = self._totals
            self._totals = Usage(
                calls=t.calls + sign * delta.calls,
                cached=t.cached + sign * delta.cached,
                input_tokens=t.input_tokens + sign * delta.input_tokens,
                output_tokens=t.output_tokens + sign * delta.output_tokens,
                cost_usd=t.cost_usd + sign * delta.cost_usd,
                errors=t.errors + sign * delta.errors,
            )

    def total_cost(self) -> float:
        return self.totals().cost_usd

    # --- counterfactual ablations ------------------------------------------------------
    def save_ablation(self, incentive: str, rows: Iterable[tuple[dict[str, str], str]]) -> None:
        """Replace the stored effects of ablating ``incentive``: (edge key, row JSON) pairs."""
        with self._db:
            self._db.execute("DELETE FROM ablations WHERE incentive=?", (incentive,))
            self._db.executemany(
                "INSERT INTO ablations VALUES (?,?,?)",
                [(incentive, json.dumps(key, sort_keys=True), js) for key, js in rows],
            )

    def ablations(self) -> list[str]:
        """Stored ablation rows (JSON), oldest incentive first."""
        return [js for (js,) in self._db.execute("SELECT json FROM ablations ORDER BY incentive, key_json")]

    # --- findings -------------------------------------------------------------------
    def replace_findings(self, run_id: str, findings: Iterable[tuple[str, str, bool, str, str, int, str]]) -> None:
        """Replace a run's findings: rows of (finding_id, type, deceptive, deceiver, subject, turn, json)."""
        with self._db:
            self._db.execute("DELETE FROM findings WHERE run_id=?", (run_id,))
            self._db.executemany(
                "INSERT OR REPLACE INTO findings VALUES (?,?,?,?,?,?,?,?)",
                [(run_id, fid, typ, int(dec), who, subj, turn, js) for fid, typ, dec, who, subj, turn, js in findings],
            )

    def findings_json(self, run_id: str) -> list[str]:
        return [
            js
            for (js,) in self._db.execute(
                "SELECT json FROM findings WHERE run_id=? ORDER BY turn, finding_id", (run_id,)
            )
        ]


class Usage(BaseModel):
    """Calls, tokens and cost."""

    model_config = ConfigDict(frozen=True)

    calls: int = 0
    cached: int = 0
    """Calls answered from the response cache (not paid)."""
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    errors: int = 0
    """Calls that failed after their retries."""


def _call_usage(values: tuple[Any, ...]) -> Usage:
    """One call's usage from its row (:func:`skins.simulation.store.rows.call_row`)."""
    _, _, _, _, _, input_tokens, output_tokens, cost, cached, error, _ = values
    return Usage(
        calls=1,
        cached=cached,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cost_usd=cost,
        errors=int(error is not None),
    )


def _where(run_id: str | None, role: str | None) -> tuple[str, tuple[str, ...]]:
    clauses = [c for c, v in (("run_id=?", run_id), ("role=?", role)) if v is not None]
    values = tuple(v for v in (run_id, role) if v is not None)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), values


def _run_row(row: tuple[Any, ...]) -> RunRow:
    run_id, world_id, seed, spec, roles, ablated, status, error, _created, _finished = row
    return RunRow(
        run_id=run_id,
        world_id=world_id,
        seed=seed,
        spec=json.loads(spec),
        roles={k: RoleInfo.model_validate(v) for k, v in json.loads(roles).items()},
        ablated=json.loads(ablated),
        status=status,
        error=error,
    )

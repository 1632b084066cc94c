"""The run store: one SQLite file per output folder, appended to turn by turn, read one run or many
runs at a time (its tables and every SQL statement: :mod:`skins.simulation.store.schema`).

Many runs are read for analysis at scale with a query per table per chunk of runs; each
transcript is validated in one pass as a whole JSON document, a world once per distinct stored
spec, and findings are written for many runs per transaction. A store opened ``readonly`` can be
read by worker processes while another process writes.
"""

from __future__ import annotations

__all__ = ["FINISHED", "AwarenessRow", "FindingRow", "RunRow", "Store", "StoredRun", "Usage"]

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from skins.core import StoreError
from skins.simulation.models import CallRecord
from skins.simulation.store import schema as sql
from skins.simulation.store.folders import check_store_schema
from skins.simulation.store.rows import Row, call_row, record_row, run_values
from skins.simulation.store.spend import SpendBook
from skins.worlds import Record, RoleInfo, Transcript, WorldSpec
from skins.worlds.library import World

_RECORD: TypeAdapter[Record] = TypeAdapter(Annotated[Record, Field(discriminator="kind")])
WORLDS_SIZE = 64
"""Distinct (spec, ablation) worlds a store keeps validated (emptied when full)."""
CHUNK_SIZE = 64
"""Runs :meth:`Store.transcripts` reads together."""

FINISHED = ("done", "degraded")
"""Statuses of runs that ran to their end: ``degraded`` ones lost turns to model errors that outlasted
their retries (those turns are recorded invalid; ``--retry-failed`` reruns them)."""

FindingRow = tuple[str, str, bool, str, str, int, str]
"""(finding_id, type, deceptive, deceiver, subject, turn, json): a finding as the store keeps it."""
AwarenessRow = tuple[str, int, str, str, str]
"""(role, turn, channel, how, json): an evaluation-awareness mark as the store keeps it."""


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
    """``running``, ``done``, ``degraded`` (finished with turns lost to model errors) or ``failed``."""
    error: str | None

    @property
    def finished(self) -> bool:
        """Ran to its end (``done`` or ``degraded``): what analysis reads."""
        return self.status in FINISHED

    def world(self) -> WorldSpec:
        """The world exactly as the run used it (stored with the run, ablations applied)."""
        return _run_world(self.spec, self.ablated)


@dataclass(frozen=True)
class StoredRun:
    """A run's row without its spec (read only when its world is needed): what reading many runs needs."""

    run_id: str
    world_id: str
    seed: int
    roles_json: str
    ablated: tuple[str, ...]
    status: str


class Store:
    """SQLite store of one output folder (WAL mode; one process writes, any number may read)."""

    def __init__(self, folder: Path, create: bool = True, readonly: bool = False) -> None:
        self.folder = Path(folder)
        path = self.folder / sql.DB_NAME
        if (readonly or not create) and not path.is_file():
            raise StoreError(f"no run store at {path}: run `skins run WORLD --out {self.folder}` first")
        self.path = path
        self._next_seq: dict[str, int] = {}
        """Run -> the seq its next record gets (known for runs appended to by this process)."""
        self._totals: Usage | None = None
        """Usage over every stored call, read once, then kept up to date by
        this process's writes (it is the store's only writer): the budget check asks before every
        run starts and a sweep's progress line after every run ends."""
        self._worlds: dict[tuple[str, tuple[str, ...]], WorldSpec] = {}
        self._db = _open(path, readonly)
        try:
            (version,) = self._db.execute(sql.SELECT_VERSION).fetchone()
        except sqlite3.DatabaseError as exc:  # read-only: a file that is not a skins store
            self._db.close()
            raise StoreError(f"{path} is not a skins run store: {exc}") from None
        if int(version) != sql.SCHEMA_VERSION:
            raise StoreError(f"{path} has schema version {version}; this skins reads version {sql.SCHEMA_VERSION}")
        present = {name for (name,) in self._db.execute(sql.SELECT_TABLES)}
        self._record_tables = [t for t in sql.RECORD_TABLES.values() if t in present]
        """Record tables this store has (a read-only store made before a record kind existed lacks its table)."""
        self.spend = SpendBook(self._db)
        """The ledger of paid calls (what was spent, never forgotten)."""
        if not readonly:
            self.spend.adopt_calls()

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
            if self._db.execute(sql.RUN_EXISTS, (run_id,)).fetchone() is not None:
                if self._totals is not None:
                    self._follow(self.usage(run_id), sign=-1)
                for delete in sql.delete_run_rows():
                    self._db.execute(delete, (run_id,))
                self.spend.restarted(run_id)  # what its earlier attempts spent stays
            self._db.execute(sql.INSERT_RUN, values)
            self._next_seq[run_id] = 0

    def finish_run(self, run_id: str, error: str | None = None, status: str | None = None) -> None:
        """The run ended: ``failed`` with an error, else ``done``, or the ``status`` given with its reason as
        ``error`` (``degraded``; ``running``: cut by the budget, resumable)."""
        status = status or ("failed" if error else "done")
        with self._db:
            self._db.execute(sql.FINISH_RUN, (status, error, time.time(), run_id))

    def run(self, run_id: str) -> RunRow | None:
        row = self._db.execute(sql.select_run(full=True), (run_id,)).fetchone()
        return None if row is None else _run_row(row)

    def runs(self) -> list[RunRow]:
        return [_run_row(r) for r in self._db.execute(sql.select_runs(None, full=True))]

    def finished_runs(self) -> list[StoredRun]:
        """Finished runs (:data:`FINISHED`) without their specs, in the order :meth:`runs` lists them."""
        return [r for r in self._stored_runs(None) if r.status in FINISHED]

    def _stored_runs(self, status: str | None) -> list[StoredRun]:
        rows = self._db.execute(sql.select_runs(status, full=False), () if status is None else (status,))
        return [_stored_run(row) for row in rows]

    def save_plan(self, runs: Iterable[tuple[str, str, int]]) -> None:
        """The runs a command sets out to execute, (run id, world, seed): what ``status`` lists as not
        started until they are (it replaces the plan of the command before)."""
        with self._db:
            self._db.execute(sql.DELETE_PLANNED)
            self._db.executemany(sql.INSERT_PLANNED, runs)

    def not_started(self) -> list[tuple[str, str, int]]:
        """Planned runs (:meth:`save_plan`) that have no row yet: (run id, world, seed)."""
        return [(r, w, s) for r, w, s in self._db.execute(sql.NOT_STARTED)]

    def world_of(self, run: StoredRun) -> WorldSpec:
        """The world exactly as the run used it (ablations applied), validated once per distinct spec."""
        (spec_json,) = self._db.execute(sql.SELECT_SPEC, (run.run_id,)).fetchone()
        key = (spec_json, run.ablated)
        world = self._worlds.get(key)
        if world is None:
            if len(self._worlds) >= WORLDS_SIZE:
                self._worlds.clear()
            world = self._worlds[key] = _run_world(json.loads(spec_json), run.ablated)
        return world

    # --- records -----------------------------------------------------------------
    def append(self, run_id: str, records: Iterable[Record], commit: bool = True) -> None:
        """Add one batch of records (one turn), committed atomically; with ``commit=False`` the batch
        stays in the open transaction until :meth:`commit` (or the next committing write)."""
        seq = self._next_seq.get(run_id)
        if seq is None:
            (last,) = self._db.execute(sql.last_seq(self._record_tables), {"r": run_id}).fetchone()
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
            for statement, values in rows:
                self._db.execute(statement, values)
                if statement == sql.INSERT_CALL:
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
            self.spend.forget_total()
            raise
        if commit:
            self._db.commit()

    def records(self, run_id: str) -> list[Record]:
        """A run's records in the order they were produced."""
        rows = self._db.execute(sql.select_records(self._record_tables), {"r": run_id}).fetchall()
        return [_RECORD.validate_json(js) for _, js in rows]

    def turn_count(self, run_id: str) -> int:
        (n,) = self._db.execute(sql.COUNT_TURNS, (run_id,)).fetchone()
        return int(n)

    def transcript(self, run_id: str) -> Transcript:
        row = self._db.execute(sql.select_run(full=False), (run_id,)).fetchone()
        if row is None:
            raise StoreError(f"no run {run_id!r} in {self.path}")
        return self.read_transcripts([_stored_run(row)])[0]

    def transcripts(self, status: str | None = "finished") -> Iterator[Transcript]:
        """Stream transcripts (of finished runs, :data:`FINISHED`; of one status; or, None, of all), a
        chunk of runs read at a time."""
        runs = self.finished_runs() if status == "finished" else self._stored_runs(status)
        for start in range(0, len(runs), CHUNK_SIZE):
            yield from self.read_transcripts(runs[start : start + CHUNK_SIZE])

    def read_transcripts(self, runs: Sequence[StoredRun]) -> list[Transcript]:
        """The runs' transcripts (one query per record table for all of them), in the order given.

        >>> import tempfile
        >>> from skins.worlds import Message, RoleInfo
        >>> with Store(Path(tempfile.mkdtemp())) as store:
        ...     store.start_run("r1", "w", 7, {}, {"a": RoleInfo(persona="p", title="t", base_model="m")}, [])
        ...     store.append("r1", [Message(index=0, turn=1, sender="a", to=["b"], text="Hi.")])
        ...     store.finish_run("r1")
        ...     [t.messages[0].text for t in store.read_transcripts(store.finished_runs())]
        ['Hi.']
        """
        ids = [r.run_id for r in runs]
        parts: dict[str, dict[str, list[str]]] = {i: {t: [] for t in sql.RECORD_TABLES.values()} for i in ids}
        for table in self._record_tables:
            for run_id, js in self._db.execute(sql.records_of_runs(table, len(ids)), ids):
                parts[run_id][table].append(js)
        return [_transcript(run, parts[run.run_id]) for run in runs]

    # --- model calls ---------------------------------------------------------------
    def add_call(self, run_id: str, call: CallRecord, commit: bool = True) -> None:
        """Record one model call's usage (``commit=False``: committed with the run's turn)."""
        statement, values = call_row(run_id, call)
        self._db.execute(statement, values)
        self._follow(_call_usage(values))
        if commit:
            self._db.commit()

    def calls(self, run_id: str) -> list[CallRecord]:
        return [CallRecord.model_validate_json(js) for (js,) in self._db.execute(sql.SELECT_CALLS, (run_id,))]

    def usage(self, run_id: str | None = None, by: str | None = None) -> Usage:
        """Token usage of one run's calls (or all), optionally only of one role, with what was spent on
        them (the ledger's: every attempt's paid calls, :mod:`skins.simulation.store.spend`)."""
        args = tuple(v for v in (run_id, by) if v is not None)
        calls = self._calls_usage(args, run_id is not None, by is not None)
        spent, lost, lost_usd = self._db.execute(sql.spend_query(run_id is not None, by is not None), args).fetchone()
        return calls.model_copy(update={"cost_usd": spent, "unanswered": lost, "unanswered_usd": lost_usd})

    def _calls_usage(self, args: tuple[str, ...], run_id: bool, role: bool) -> Usage:
        row = self._db.execute(sql.usage_query(run_id, role), args).fetchone()
        return Usage(calls=row[0], cached=row[1], input_tokens=row[2], output_tokens=row[3], errors=row[4])

    def usage_by_role(self, run_id: str | None = None) -> dict[tuple[str, str], Usage]:
        """(role, model) -> usage, over one run or all runs."""
        roles = self._db.execute(sql.roles_of_calls(bool(run_id)), (run_id, run_id) if run_id else ()).fetchall()
        return {(r, m): self.usage(run_id, r) for r, m in sorted(roles)}

    def totals(self) -> Usage:
        """Usage over every stored call, as ``usage()`` gives it, without reading them all each time."""
        if self._totals is None:
            self._totals = self._calls_usage((), False, False)
        spent = self.spend.total()
        return self._totals.model_copy(
            update={"cost_usd": spent.usd, "unanswered": spent.unanswered, "unanswered_usd": spent.unanswered_usd}
        )

    def _follow(self, delta: Usage, sign: int = 1) -> None:
        """Add (or, with ``sign`` -1, take away) calls' usage, once the totals were read."""
        if self._totals is not None:
            t = self._totals
            self._totals = Usage(
                calls=t.calls + sign * delta.calls,
                cached=t.cached + sign * delta.cached,
                input_tokens=t.input_tokens + sign * delta.input_tokens,
                output_tokens=t.output_tokens + sign * delta.output_tokens,
                errors=t.errors + sign * delta.errors,
            )

    def total_cost(self) -> float:
        return self.totals().cost_usd

    # --- counterfactual ablations ------------------------------------------------------
    def save_ablation(self, incentive: str, rows: Iterable[tuple[dict[str, str], str]]) -> None:
        """Replace the stored effects of ablating ``incentive``: (edge key, row JSON) pairs."""
        with self._db:
            self._db.execute(sql.DELETE_ABLATIONS, (incentive,))
            self._db.executemany(
                sql.INSERT_ABLATION, [(incentive, json.dumps(key, sort_keys=True), js) for key, js in rows]
            )

    def ablations(self) -> list[str]:
        """Stored ablation rows (JSON), oldest incentive first."""
        return [js for (js,) in self._db.execute(sql.SELECT_ABLATIONS)]

    # --- findings -------------------------------------------------------------------
    def replace_findings(self, findings: Iterable[tuple[str, Sequence[FindingRow]]]) -> None:
        """Replace the findings of each run given, (run id, its finding rows), in one transaction."""
        with self._db:
            for run_id, rows in findings:
                self._db.execute(sql.DELETE_FINDINGS, (run_id,))
                self._db.executemany(
                    sql.INSERT_FINDING,
                    [(run_id, fid, typ, int(dec), who, subj, turn, js) for fid, typ, dec, who, subj, turn, js in rows],
                )

    def findings_json(self, run_id: str) -> list[str]:
        return [js for (js,) in self._db.execute(sql.SELECT_FINDINGS, (run_id,))]

    # --- evaluation awareness ----------------------------------------------------------
    def replace_awareness(self, runs: Iterable[tuple[str, str, Sequence[AwarenessRow]]]) -> None:
        """Replace the awareness marks of each run given, (run id, how it was analysed, its mark rows), in one
        transaction; the run is then analysed for awareness, with no marks when ``rows`` is empty."""
        with self._db:
            for run_id, methods, rows in runs:
                self._db.execute(sql.DELETE_AWARENESS, (run_id,))
                self._db.execute(sql.INSERT_AWARENESS_RUN, (run_id, methods))
                self._db.executemany(
                    sql.INSERT_AWARENESS,
                    [(run_id, i, role, turn, ch, how, js) for i, (role, turn, ch, how, js) in enumerate(rows)],
                )

    def awareness_json(self, run_id: str) -> list[str] | None:
        """A run's awareness marks (JSON), or None when it was not analysed for awareness (or the store
        predates the awareness tables)."""
        try:
            analysed = self._db.execute(sql.SELECT_AWARENESS_RUN, (run_id,)).fetchone()
        except sqlite3.OperationalError:  # a read-only store made before the tables existed
            return None
        if analysed is None:
            return None
        return [js for (js,) in self._db.execute(sql.SELECT_AWARENESS, (run_id,))]


class Usage(BaseModel):
    """Calls, tokens and cost."""

    model_config = ConfigDict(frozen=True)

    calls: int = 0
    cached: int = 0
    """Calls answered from the response cache (not paid)."""
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    """What was spent: every paid call of every attempt (a call in flight when its process died is
    counted at an estimate: its reservation, or the cost of the same request answered later)."""
    errors: int = 0
    """Calls that failed after their retries."""
    unanswered: int = 0
    """Paid calls sent but never answered to us (in flight at a kill, or now): counted at an estimate."""
    unanswered_usd: float = 0.0
    """The part of ``cost_usd`` that is such estimates."""


def _open(path: Path, readonly: bool) -> sqlite3.Connection:
    """A connection to the store's file: read-only, or creating its tables (WAL: readers never block)."""
    if readonly:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=120)
    path.parent.mkdir(parents=True, exist_ok=True)
    # timeout: worker processes may hold the write lock briefly. Any thread: run_sync inside a notebook's
    # loop runs the sweep on a helper thread while the opening thread waits (one thread at a time).
    db = sqlite3.connect(path, timeout=120, check_same_thread=False)
    try:
        check_store_schema(db, path)  # before the pragmas: WAL mode alone would rewrite another database's header
    except StoreError:
        db.close()
        raise
    for pragma in sql.WRITER_PRAGMAS:
        db.execute(pragma)
    with db:
        db.executescript(sql.SCHEMA)
        db.execute(sql.META_VERSION, (str(sql.SCHEMA_VERSION),))
    return db


def _call_usage(values: tuple[Any, ...]) -> Usage:
    """One call's usage from its row (:func:`skins.simulation.store.rows.call_row`)."""
    _, _, _, _, _, input_tokens, output_tokens, _cost, cached, error, _ = values
    return Usage(
        calls=1, cached=cached, input_tokens=input_tokens, output_tokens=output_tokens, errors=int(error is not None)
    )


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


def _stored_run(row: tuple[Any, ...]) -> StoredRun:
    run_id, world_id, seed, roles_json, ablated_json, status = row
    return StoredRun(run_id, world_id, seed, roles_json, tuple(json.loads(ablated_json)), status)


def _transcript(run: StoredRun, records: dict[str, list[str]]) -> Transcript:
    """Validates the run as one JSON document (pydantic validates every record in one call)."""
    head = (
        f'{{"run_id":{json.dumps(run.run_id)},"world_id":{json.dumps(run.world_id)},"seed":{run.seed},'
        f'"roles":{run.roles_json},"ablated":{json.dumps(list(run.ablated))},"status":{json.dumps(run.status)}'
    )
    body = "".join(f',"{table}":[{",".join(rows)}]' for table, rows in records.items())
    return Transcript.model_validate_json(head + body + "}")


def _run_world(spec: dict[str, Any], ablated: Sequence[str]) -> WorldSpec:
    world = World.model_validate(spec["world"]).spec
    return world.without_incentives(list(ablated)) if ablated else world

"""Batched access to a run store for analysis at scale: a query per table per chunk of runs, not per run.

:class:`skins.simulation.store.store.Store` reads one run at a time, parses every stored
record on its own, re-validates the run's whole world spec and commits each
run's findings in a transaction of their own; over thousands of runs that
bookkeeping costs more than the analysis. Here a chunk of runs is read with one
query per table, each run's records are validated in one pass as a whole
transcript (the same validation, done by pydantic in one call), a world is
validated once per distinct stored spec, and findings are written for many
runs per transaction. Readers open the store read-only, so worker processes can
read while the parent writes.
"""

from __future__ import annotations

__all__ = ["FindingRow", "StoredRun", "connect", "finished_runs", "read_transcripts", "world_of", "write_findings"]

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from skins.core import StoreError
from skins.simulation.store.store import DB_NAME
from skins.worlds import Transcript, WorldSpec
from skins.worlds.library import World

FindingRow = tuple[str, str, bool, str, str, int, str]
"""(finding_id, type, deceptive, deceiver, subject, turn, json), as ``Store.replace_findings`` takes them."""

_RECORD_TABLES = ("turns", "messages", "actions", "knowledge", "fact_changes")
"""Record tables, named as the transcript fields they fill."""
_WORLDS: dict[tuple[str, tuple[str, ...]], WorldSpec] = {}
WORLDS_SIZE = 64
"""Distinct (spec, ablation) worlds kept validated (emptied when full)."""


@dataclass(frozen=True)
class StoredRun:
    """A finished run's row, without its spec (read only when its world is needed)."""

    run_id: str
    world_id: str
    seed: int
    roles_json: str
    ablated: tuple[str, ...]
    status: str


def connect(folder: Path, readonly: bool = True) -> sqlite3.Connection:
    """A connection to the folder's store (``StoreError`` when there is none)."""
    path = Path(folder) / DB_NAME
    if not path.is_file():
        raise StoreError(f"no run store at {path}: run `skins run WORLD --out {folder}` first")
    if not readonly:
        db = sqlite3.connect(path, timeout=120)
        db.execute("PRAGMA synchronous=NORMAL")
        return db
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=120)


def finished_runs(db: sqlite3.Connection) -> list[StoredRun]:
    """Finished runs, in the order ``Store.runs()`` lists them."""
    rows = db.execute(
        "SELECT run_id, world_id, seed, roles_json, ablated_json, status FROM runs "
        "WHERE status='done' ORDER BY world_id, seed, run_id"
    )
    return [StoredRun(r, w, s, roles, tuple(json.loads(abl)), st) for r, w, s, roles, abl, st in rows]


def read_transcripts(db: sqlite3.Connection, runs: Sequence[StoredRun]) -> list[Transcript]:
    """The runs' transcripts (one query per record table for all of them), in the order given.

    >>> import tempfile
    >>> from skins.simulation.store.store import Store
    >>> from skins.worlds.records import Message, RoleInfo
    >>> folder = Path(tempfile.mkdtemp())
    >>> with Store(folder) as store:
    ...     store.start_run("r1", "w", 7, {}, {"a": RoleInfo(persona="p", title="t", base_model="m")}, [])
    ...     store.append("r1", [Message(index=0, turn=1, sender="a", to=["b"], text="Hi.")])
    ...     store.finish_run("r1")
    ...     stored = store.transcript("r1")
    >>> db = connect(folder)
    >>> read_transcripts(db, finished_runs(db)) == [stored]
    True
    """
    marks = ",".join("?" * len(runs))
    ids = [r.run_id for r in runs]
    parts: dict[str, dict[str, list[str]]] = {r.run_id: {t: [] for t in _RECORD_TABLES} for r in runs}
    for table in _RECORD_TABLES:
        query = f"SELECT run_id, json FROM {table} WHERE run_id IN ({marks}) ORDER BY run_id, seq"
        for run_id, js in db.execute(query, ids):
            parts[run_id][table].append(js)
    return [_transcript(run, parts[run.run_id]) for run in runs]


def _transcript(run: StoredRun, records: dict[str, list[str]]) -> Transcript:
    """Validates the run as one JSON document: what ``Store.transcript`` builds record by record."""
    head = (
        f'{{"run_id":{json.dumps(run.run_id)},"world_id":{json.dumps(run.world_id)},"seed":{run.seed},'
        f'"roles":{run.roles_json},"ablated":{json.dumps(list(run.ablated))},"status":{json.dumps(run.status)}'
    )
    body = "".join(f',"{table}":[{",".join(rows)}]' for table, rows in records.items())
    return Transcript.model_validate_json(head + body + "}")


def world_of(db: sqlite3.Connection, run: StoredRun) -> WorldSpec:
    """The world exactly as the run used it (ablations applied), validated once per distinct spec."""
    (spec_json,) = db.execute("SELECT spec_json FROM runs WHERE run_id=?", (run.run_id,)).fetchone()
    key = (spec_json, run.ablated)
    world = _WORLDS.get(key)
    if world is None:
        spec = World.model_validate(json.loads(spec_json)["world"]).spec
        world = spec.without_incentives(list(run.ablated)) if run.ablated else spec
        if len(_WORLDS) >= WORLDS_SIZE:
            _WORLDS.clear()
        _WORLDS[key] = world
    return world


def write_findings(db: sqlite3.Connection, findings: Iterable[tuple[str, Sequence[FindingRow]]]) -> None:
    """Replace the findings of many runs in one transaction (as ``Store.replace_findings`` does per run)."""
    with db:
        for run_id, rows in findings:
            db.execute("DELETE FROM findings WHERE run_id=?", (run_id,))
            db.executemany(
                "INSERT OR REPLACE INTO findings VALUES (?,?,?,?,?,?,?,?)",
                [(run_id, fid, typ, int(dec), who, subj, turn, js) for fid, typ, dec, who, subj, turn, js in rows],
            )

"""The run store's tables and every SQL statement run against them (no other module writes SQL).

Tables: meta (the schema version), runs, one table per record kind (turns, messages, actions,
knowledge, fact_changes), calls (model usage), ablations, findings, and evaluation awareness
(``awareness_runs``: the runs analysed for it and how; ``awareness``: their marked turns). Each record row
keeps its full JSON next to the columns used for queries, and a per-run ``seq`` restores the exact
order the engine produced.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "AWARENESS_TABLES",
    "COUNT_TURNS",
    "DB_NAME",
    "DELETE_ABLATIONS",
    "DELETE_AWARENESS",
    "DELETE_AWARENESS_RUN",
    "DELETE_FINDINGS",
    "DELETE_PLANNED",
    "FINISH_RUN",
    "INSERT_ABLATION",
    "INSERT_AWARENESS",
    "INSERT_AWARENESS_RUN",
    "INSERT_CALL",
    "INSERT_FINDING",
    "INSERT_PLANNED",
    "INSERT_RECORD",
    "INSERT_RUN",
    "INSERT_SPEND",
    "MARK_UNANSWERED",
    "META_LEDGER",
    "META_VERSION",
    "NOT_STARTED",
    "OPEN_ESTIMATES",
    "PAID_CALLS",
    "RECORD_TABLES",
    "REPEAT_SPEND",
    "RUN_EXISTS",
    "SCHEMA",
    "SCHEMA_VERSION",
    "SELECT_ABLATIONS",
    "SELECT_AWARENESS",
    "SELECT_AWARENESS_RUN",
    "SELECT_CALLS",
    "SELECT_FINDINGS",
    "SELECT_LEDGER",
    "SELECT_SPEC",
    "SELECT_TABLES",
    "SELECT_VERSION",
    "SETTLE_SPEND",
    "SPEND_OF",
    "SPEND_ROWS",
    "SPENT",
    "UNANSWERED_OF_CALL",
    "WRITER_PRAGMAS",
    "delete_run_rows",
    "last_seq",
    "records_of_runs",
    "roles_of_calls",
    "select_records",
    "select_run",
    "select_runs",
    "spend_query",
    "usage_query",
]

DB_NAME = "skins.db"
SCHEMA_VERSION = 1

_RECORD_KEY = ("run_id TEXT NOT NULL", "seq INTEGER NOT NULL")
_TABLES: dict[str, tuple[tuple[str, ...], str]] = {
    "meta": (("key TEXT PRIMARY KEY", "value TEXT NOT NULL"), ""),
    "runs": (
        (
            "run_id TEXT PRIMARY KEY",
            "world_id TEXT NOT NULL",
            "seed INTEGER NOT NULL",
            "spec_json TEXT NOT NULL",
            "roles_json TEXT NOT NULL",
            "ablated_json TEXT NOT NULL",
            "status TEXT NOT NULL",
            "error TEXT",
            "created REAL NOT NULL",
            "finished REAL",
        ),
        "",
    ),
    "turns": (
        (*_RECORD_KEY, "turn INTEGER NOT NULL", "role TEXT NOT NULL", "valid INTEGER NOT NULL", "invalid_reason TEXT"),
        "run_id, seq",
    ),
    "messages": (
        (*_RECORD_KEY, "idx INTEGER NOT NULL", "turn INTEGER NOT NULL", "sender TEXT NOT NULL", "text TEXT NOT NULL"),
        "run_id, seq",
    ),
    "actions": (
        (
            *_RECORD_KEY,
            "idx INTEGER NOT NULL",
            "turn INTEGER NOT NULL",
            "actor TEXT NOT NULL",
            "tool TEXT NOT NULL",
            "ok INTEGER NOT NULL",
        ),
        "run_id, seq",
    ),
    "knowledge": (
        (
            *_RECORD_KEY,
            "turn INTEGER NOT NULL",
            "role TEXT NOT NULL",
            "fact TEXT NOT NULL",
            "value INTEGER NOT NULL",
            "source TEXT NOT NULL",
        ),
        "run_id, seq",
    ),
    "fact_changes": (
        (*_RECORD_KEY, "turn INTEGER NOT NULL", "fact TEXT NOT NULL", "value INTEGER NOT NULL"),
        "run_id, seq",
    ),
    "verdicts": (
        (*_RECORD_KEY, "turn INTEGER NOT NULL", "monitor TEXT NOT NULL", "suspect TEXT NOT NULL"),
        "run_id, seq",
    ),
    "calls": (
        (
            "run_id TEXT NOT NULL",
            "idx INTEGER NOT NULL",
            "role TEXT NOT NULL",
            "turn INTEGER NOT NULL",
            "model TEXT NOT NULL",
            "input_tokens INTEGER NOT NULL",
            "output_tokens INTEGER NOT NULL",
            "cost_usd REAL NOT NULL",
            "cached INTEGER NOT NULL",
            "error TEXT",
        ),
        "run_id, idx",
    ),
    "spend": (
        (
            "run_id TEXT NOT NULL",
            "key TEXT NOT NULL",
            "role TEXT NOT NULL",
            "turn INTEGER NOT NULL",
            "model TEXT NOT NULL",
            "state TEXT NOT NULL",
            "reserved_usd REAL NOT NULL",
            "estimated_usd REAL NOT NULL",
            "input_tokens INTEGER NOT NULL",
            "output_tokens INTEGER NOT NULL",
            "cost_usd REAL NOT NULL",
            "created REAL NOT NULL",
        ),
        "",
    ),
    "planned": (("run_id TEXT PRIMARY KEY", "world_id TEXT NOT NULL", "seed INTEGER NOT NULL"), ""),
    "ablations": (("incentive TEXT NOT NULL", "key_json TEXT NOT NULL"), "incentive, key_json"),
    "findings": (
        (
            "run_id TEXT NOT NULL",
            "finding_id TEXT NOT NULL",
            "type TEXT NOT NULL",
            "deceptive INTEGER NOT NULL",
            "deceiver TEXT NOT NULL",
            "subject TEXT NOT NULL",
            "turn INTEGER NOT NULL",
        ),
        "run_id, finding_id",
    ),
    "awareness_runs": (("run_id TEXT PRIMARY KEY", "methods TEXT NOT NULL"), ""),
    "awareness": (
        (
            "run_id TEXT NOT NULL",
            "idx INTEGER NOT NULL",
            "role TEXT NOT NULL",
            "turn INTEGER NOT NULL",
            "channel TEXT NOT NULL",
            "how TEXT NOT NULL",
        ),
        "run_id, idx",
    ),
}
"""Table -> (its columns, its primary key); every table but meta, runs, spend and planned ends with a ``json``
column. ``awareness_runs`` lists the runs analysed for evaluation awareness (a run missing from it, or a
store made before the table existed, was not analysed for it); ``awareness`` holds their marks. ``spend``
is the ledger of paid calls (one row per request to a priced model, never deleted:
see :data:`SPENT`); ``planned`` the runs the last sweep or run command set out to execute."""
_PLAIN = ("meta", "runs", "spend", "planned", "awareness_runs")
"""Tables without a ``json`` column."""


def _columns(table: str) -> tuple[str, ...]:
    columns, _ = _TABLES[table]
    return columns if table in _PLAIN else (*columns, "json TEXT NOT NULL")


def _create(table: str) -> str:
    _, key = _TABLES[table]
    return (
        f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(_columns(table))}{f', PRIMARY KEY ({key})' if key else ''});"
    )


def _insert(table: str, verb: str = "INSERT") -> str:
    return f"{verb} INTO {table} VALUES ({','.join('?' * len(_columns(table)))})"


_INDEXES = ("CREATE INDEX IF NOT EXISTS spend_of_call ON spend (run_id, key);",)
SCHEMA = "\n".join([*(_create(table) for table in _TABLES), *_INDEXES])
RECORD_TABLES: dict[str, str] = {
    "turn": "turns",
    "message": "messages",
    "action": "actions",
    "knowledge": "knowledge",
    "fact_change": "fact_changes",
    "verdict": "verdicts",
}
"""Record kind -> its table, named as the transcript field it fills, in the transcript's order."""
AWARENESS_TABLES = ("awareness_runs", "awareness")
"""Tables a store made before evaluation awareness was analysed lacks (it reads as not analysed for it)."""
_RUN_TABLES = (*RECORD_TABLES.values(), "findings", "calls", *AWARENESS_TABLES)
"""Tables with rows of a run."""

WRITER_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")
"""Set by the writer: readers never block it, and a commit waits for the disk only at checkpoints."""
META_VERSION = "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)"
SELECT_VERSION = "SELECT value FROM meta WHERE key='schema_version'"
"""The schema marker: a database without it is not a skins store, and skins never writes into it."""
SELECT_TABLES = "SELECT name FROM sqlite_master WHERE type='table'"
INSERT_RUN = _insert("runs", "INSERT OR REPLACE")
INSERT_CALL = _insert("calls", "INSERT OR REPLACE")
INSERT_RECORD: dict[str, str] = {table: _insert(table) for table in RECORD_TABLES.values()}
"""Table -> the INSERT of one record row."""
INSERT_ABLATION = _insert("ablations")
INSERT_FINDING = _insert("findings", "INSERT OR REPLACE")
RUN_EXISTS = "SELECT 1 FROM runs WHERE run_id=?"
FINISH_RUN = "UPDATE runs SET status=?, error=?, finished=? WHERE run_id=?"
SELECT_SPEC = "SELECT spec_json FROM runs WHERE run_id=?"


def last_seq(tables: Sequence[str]) -> str:
    """The last seq of a run's records (bound to ``:r``) over the record tables the store has."""
    return (
        "SELECT COALESCE(MAX(seq), -1) FROM ("
        + " UNION ALL ".join(f"SELECT MAX(seq) AS seq FROM {t} WHERE run_id=:r" for t in tables)
        + ")"
    )


def select_records(tables: Sequence[str]) -> str:
    """A run's records (JSON, bound to ``:r``) in the order they were produced, over the given tables."""
    return " UNION ALL ".join(f"SELECT seq, json FROM {t} WHERE run_id=:r" for t in tables) + " ORDER BY seq"


COUNT_TURNS = "SELECT COUNT(*) FROM turns WHERE run_id=?"
SELECT_CALLS = "SELECT json FROM calls WHERE run_id=? ORDER BY idx"
DELETE_ABLATIONS = "DELETE FROM ablations WHERE incentive=?"
SELECT_ABLATIONS = "SELECT json FROM ablations ORDER BY incentive, key_json"
DELETE_FINDINGS = "DELETE FROM findings WHERE run_id=?"
INSERT_AWARENESS_RUN = _insert("awareness_runs", "INSERT OR REPLACE")
INSERT_AWARENESS = _insert("awareness")
DELETE_AWARENESS_RUN = "DELETE FROM awareness_runs WHERE run_id=?"
DELETE_AWARENESS = "DELETE FROM awareness WHERE run_id=?"
SELECT_AWARENESS_RUN = "SELECT methods FROM awareness_runs WHERE run_id=?"
SELECT_AWARENESS = "SELECT json FROM awareness WHERE run_id=? ORDER BY idx"

# --- the spend ledger --------------------------------------------------------------
# A row's state: 'open' (sent, no reply recorded yet: in flight, or its process died), 'paid' (answered),
# 'dropped' (an error reply: nothing billed), 'unanswered' (the process that sent it died first: counted
# at its estimate, from the model's answered calls) and 'repeated' (unanswered, counted at the cost of
# the same request answered later in the run).
SPENT = "CASE state WHEN 'open' THEN reserved_usd ELSE cost_usd END"
"""What a ledger row counts as spent: an open call its reservation, any other its (estimated) cost."""
_SPEND_COLUMNS = (
    "run_id, key, role, turn, model, state, reserved_usd, estimated_usd, input_tokens, output_tokens, cost_usd, created"
)
INSERT_SPEND = f"INSERT INTO spend ({_SPEND_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
SPEND_OF = f"SELECT state, {SPENT}, run_id, key FROM spend WHERE rowid=?"
SETTLE_SPEND = "UPDATE spend SET state=?, input_tokens=?, output_tokens=?, cost_usd=? WHERE rowid=?"
UNANSWERED_OF_CALL = "SELECT rowid, cost_usd FROM spend WHERE run_id=? AND key=? AND state='unanswered' ORDER BY rowid"
REPEAT_SPEND = "UPDATE spend SET state='repeated', cost_usd=? WHERE rowid=?"
MARK_UNANSWERED = "UPDATE spend SET state='unanswered', cost_usd=estimated_usd WHERE state='open'"
"""Bound to nothing (every open row: a sweep starts and no other process writes the store) or
extended with ``AND run_id=?`` (a run restarts)."""
OPEN_ESTIMATES = "SELECT COALESCE(SUM(reserved_usd - estimated_usd), 0) FROM spend WHERE state='open'"
"""How much less the open rows count once they are unanswered (extended like :data:`MARK_UNANSWERED`)."""
SPEND_ROWS = f"SELECT {_SPEND_COLUMNS} FROM spend WHERE run_id=? ORDER BY rowid"
"""A run's ledger rows, as :data:`INSERT_SPEND` takes them."""
PAID_CALLS = (
    f"INSERT INTO spend ({_SPEND_COLUMNS}) SELECT run_id, '', role, turn, model, 'paid', cost_usd, cost_usd, "
    "input_tokens, output_tokens, cost_usd, 0 FROM calls WHERE cost_usd > 0 AND cached = 0"
)
"""A store written before the ledger existed: its paid calls become its ledger (once, on opening)."""
META_LEDGER = "INSERT OR IGNORE INTO meta VALUES ('ledger', '1')"
SELECT_LEDGER = "SELECT value FROM meta WHERE key='ledger'"

# --- the plan ------------------------------------------------------------------------
DELETE_PLANNED = "DELETE FROM planned"
INSERT_PLANNED = "INSERT OR REPLACE INTO planned VALUES (?,?,?)"
NOT_STARTED = (
    "SELECT p.run_id, p.world_id, p.seed FROM planned p LEFT JOIN runs r ON r.run_id = p.run_id "
    "WHERE r.run_id IS NULL ORDER BY p.world_id, p.seed, p.run_id"
)
SELECT_FINDINGS = "SELECT json FROM findings WHERE run_id=? ORDER BY turn, finding_id"


def delete_run_rows() -> list[str]:
    """The DELETEs of every row of a run (bound to its id) but its own row."""
    return [f"DELETE FROM {table} WHERE run_id=?" for table in _RUN_TABLES]


_LIGHT_RUN = "run_id, world_id, seed, roles_json, ablated_json, status"
"""A run's columns but its spec (and times)."""


def select_run(full: bool) -> str:
    """One run (bound to its id): every column, or all but the spec."""
    return f"SELECT {'*' if full else _LIGHT_RUN} FROM runs WHERE run_id=?"


def select_runs(status: str | None, full: bool) -> str:
    """Runs (of one status, bound, or all), ordered by world, seed and id: every column, or all but the spec."""
    where = "" if status is None else "WHERE status=? "
    return f"SELECT {'*' if full else _LIGHT_RUN} FROM runs {where}ORDER BY world_id, seed, run_id"


def records_of_runs(table: str, n: int) -> str:
    """The (run id, JSON) rows of one record table for ``n`` runs (bound to their ids), in order."""
    return f"SELECT run_id, json FROM {table} WHERE run_id IN ({','.join('?' * n)}) ORDER BY run_id, seq"


def _where(run_id: bool, role: bool) -> str:
    clauses = [c for c, on in (("run_id=?", run_id), ("role=?", role)) if on]
    return "WHERE " + " AND ".join(clauses) if clauses else ""


def usage_query(run_id: bool, role: bool) -> str:
    """Calls, cached, tokens and errors over the calls of one run and/or role (bound in that order)."""
    return (
        "SELECT COUNT(*), COALESCE(SUM(cached),0), COALESCE(SUM(input_tokens),0), COALESCE(SUM(output_tokens),0), "
        f"COALESCE(SUM(error IS NOT NULL),0) FROM calls {_where(run_id, role)}"
    )


def spend_query(run_id: bool, role: bool) -> str:
    """Spent, and the count and spend of calls sent but never answered (open, unanswered, repeated), over
    the ledger rows of one run and/or role (bound in that order)."""
    unanswered = "state IN ('open', 'unanswered', 'repeated')"
    return (
        f"SELECT COALESCE(SUM({SPENT}),0), COALESCE(SUM({unanswered}),0), "
        f"COALESCE(SUM(CASE WHEN {unanswered} THEN {SPENT} ELSE 0 END),0) FROM spend {_where(run_id, role)}"
    )


def roles_of_calls(run_id: bool) -> str:
    """Distinct (role, model) of the calls and paid calls of one run (bound twice) or of all."""
    where = " WHERE run_id=?" if run_id else ""
    return f"SELECT role, model FROM calls{where} UNION SELECT role, model FROM spend{where}"

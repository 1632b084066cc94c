"""How records, model calls and runs become rows of the run store (its writer, or a worker process
that sends finished rows to the writer)."""

from __future__ import annotations

__all__ = ["Row", "call_row", "record_row", "run_values"]

import json
import time
from typing import Any

from skins.simulation.models import CallRecord
from skins.simulation.store.schema import INSERT_CALL, INSERT_RECORD, RECORD_TABLES
from skins.worlds import ActionRecord, KnowledgeEvent, Message, Record, RoleInfo, TurnRecord, Verdict

Row = tuple[str, tuple[Any, ...]]
"""An INSERT statement and its values."""


def run_values(
    run_id: str, world_id: str, seed: int, spec: dict[str, Any] | str, roles: dict[str, RoleInfo], ablated: list[str]
) -> tuple[Any, ...]:
    """A new run's row (status ``running``)."""
    spec_json = spec if isinstance(spec, str) else json.dumps(spec, sort_keys=True)
    roles_json = json.dumps({k: v.model_dump() for k, v in roles.items()})
    return (run_id, world_id, seed, spec_json, roles_json, json.dumps(ablated), "running", None, time.time(), None)


def record_row(run_id: str, seq: int, r: Record) -> Row:
    """The row of one record: its query columns and its full JSON."""
    data = r.model_dump_json()
    if isinstance(r, TurnRecord):
        values: tuple[Any, ...] = (run_id, seq, r.turn, r.role, int(r.valid), r.invalid_reason, data)
    elif isinstance(r, Message):
        values = (run_id, seq, r.index, r.turn, r.sender, r.text, data)
    elif isinstance(r, ActionRecord):
        values = (run_id, seq, r.index, r.turn, r.actor, r.tool, int(r.ok), data)
    elif isinstance(r, KnowledgeEvent):
        values = (run_id, seq, r.turn, r.role, r.fact, int(r.value), r.source, data)
    elif isinstance(r, Verdict):
        values = (run_id, seq, r.turn, r.monitor, r.suspect, data)
    else:
        values = (run_id, seq, r.turn, r.fact, int(r.value), data)
    return INSERT_RECORD[RECORD_TABLES[r.kind]], values


def call_row(run_id: str, call: CallRecord) -> Row:
    """The row of one model call's usage (a call answered again replaces its row)."""
    values = (
        run_id,
        call.index,
        call.role,
        call.turn,
        call.model,
        call.input_tokens,
        call.output_tokens,
        call.cost_usd,
        int(call.cached),
        call.error,
        call.model_dump_json(),
    )
    return INSERT_CALL, values

"""simulation/store."""

from skins.simulation.store.batch import (
    FindingRow,
    StoredRun,
    connect,
    finished_runs,
    read_transcripts,
    world_of,
    write_findings,
)
from skins.simulation.store.rows import call_row, record_row
from skins.simulation.store.store import DB_NAME, RunRow, Store, Usage

__all__ = [
    "DB_NAME",
    "FindingRow",
    "RunRow",
    "Store",
    "StoredRun",
    "Usage",
    "call_row",
    "connect",
    "finished_runs",
    "read_transcripts",
    "record_row",
    "world_of",
    "write_findings",
]

"""The run store: one SQLite file per output folder that the engine appends to turn by turn and the
analysis reads back (one run, or many runs at a time at scale) and writes findings to.

``Store`` is the only way in; its tables and every SQL statement live in ``schema.py``, and
``rows.py`` turns records and model calls into rows (what a worker process sends to the writer);
``spend.py`` keeps the ledger of paid calls (what was spent, durable as it happens).
"""

from skins.simulation.store.rows import Row, call_row, record_row, run_values
from skins.simulation.store.schema import DB_NAME, SCHEMA_VERSION
from skins.simulation.store.spend import SpendBook, Spent
from skins.simulation.store.store import FINISHED, FindingRow, RunRow, Store, StoredRun, Usage
from skins.simulation.store.summary import StatusGroup, add_analysis_calls, status_groups

__all__ = [
    "DB_NAME",
    "FINISHED",
    "SCHEMA_VERSION",
    "FindingRow",
    "Row",
    "RunRow",
    "SpendBook",
    "Spent",
    "StatusGroup",
    "Store",
    "StoredRun",
    "Usage",
    "add_analysis_calls",
    "call_row",
    "record_row",
    "run_values",
    "status_groups",
]

"""The run store: one SQLite file per output folder that the engine appends to turn by turn and the
analysis reads back (one run, or many runs at a time at scale) and writes findings to.

``Store`` is the only way in; its tables and every SQL statement live in ``schema.py``, and
``rows.py`` turns records and model calls into rows (what a worker process sends to the writer);
``folders.py`` tells a skins store and a folder skins made from anything else, which is never written over.
``spend.py`` keeps the ledger of paid calls (what was spent, durable as it happens).
"""

from skins.simulation.store.folders import (
    MARKER,
    check_output_dir,
    check_output_file,
    is_skins_folder,
    is_store_file,
    output_error,
    prepare_output_dir,
    prepare_output_file,
)
from skins.simulation.store.rows import Row, call_row, record_row, run_values
from skins.simulation.store.schema import DB_NAME, SCHEMA_VERSION
from skins.simulation.store.spend import SpendBook, Spent
from skins.simulation.store.store import FINISHED, AwarenessRow, FindingRow, RunRow, Store, StoredRun, Usage
from skins.simulation.store.summary import StatusGroup, add_analysis_calls, status_groups

__all__ = [
    "DB_NAME",
    "FINISHED",
    "MARKER",
    "SCHEMA_VERSION",
    "AwarenessRow",
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
    "check_output_dir",
    "check_output_file",
    "is_skins_folder",
    "is_store_file",
    "output_error",
    "prepare_output_dir",
    "prepare_output_file",
    "record_row",
    "run_values",
    "status_groups",
]

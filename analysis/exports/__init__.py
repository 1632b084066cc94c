"""A run folder as data for other tools: flat tables (findings, runs, messages, turns), the notebook
API (``load_sweep`` -> pandas DataFrames and the graph) and ``skins export`` (graph files, parquet,
CSV, JSONL). **A new table column** is documented and built in ``tables.py``; **a new export format**
is added to ``writers.py`` (graph formats themselves are written by :mod:`skins.analysis.graph`).
pandas and pyarrow are imported only when a table is asked for (the ``data`` extra).
"""

from skins.analysis.exports.frames import Sweep, load_sweep
from skins.analysis.exports.tables import (
    FINDING_COLUMNS,
    MESSAGE_COLUMNS,
    RUN_COLUMNS,
    TABLE_COLUMNS,
    TURN_COLUMNS,
    VERDICT_COLUMNS,
)
from skins.analysis.exports.writers import EXPORT_FORMATS, export_folder

__all__ = [
    "EXPORT_FORMATS",
    "FINDING_COLUMNS",
    "MESSAGE_COLUMNS",
    "RUN_COLUMNS",
    "TABLE_COLUMNS",
    "TURN_COLUMNS",
    "VERDICT_COLUMNS",
    "Sweep",
    "export_folder",
    "load_sweep",
]

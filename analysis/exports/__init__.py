"""analysis/exports."""

from skins.analysis.exports.frames import Sweep, load_sweep
from skins.analysis.exports.tables import FINDING_COLUMNS, MESSAGE_COLUMNS, RUN_COLUMNS, TABLE_COLUMNS, TURN_COLUMNS
from skins.analysis.exports.writers import EXPORT_FORMATS, export_folder

__all__ = [
    "EXPORT_FORMATS",
    "FINDING_COLUMNS",
    "MESSAGE_COLUMNS",
    "RUN_COLUMNS",
    "TABLE_COLUMNS",
    "TURN_COLUMNS",
    "Sweep",
    "export_folder",
    "load_sweep",
]

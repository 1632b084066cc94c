"""core."""

from skins.core.aio import run_sync
from skins.core.configio import (
    LineIndex,
    Loc,
    index_ids,
    load_model,
    missing_file,
    parse_yaml,
    problem,
    read_text,
    render_loc,
)
from skins.core.errors import (
    BackendError,
    ConfigError,
    ConfigProblem,
    NotFoundError,
    SimulationError,
    SkinsError,
    StoreError,
)
from skins.core.gctune import few_collections
from skins.core.ids import ID_PATTERN, ActionRef, FactId, FactRef, Id, IncentiveId, PersonaId, RoleId, ToolId
from skins.core.registry import Registry
from skins.core.validation import check_model

__all__ = [
    "ID_PATTERN",
    "ActionRef",
    "BackendError",
    "ConfigError",
    "ConfigProblem",
    "FactId",
    "FactRef",
    "Id",
    "IncentiveId",
    "LineIndex",
    "Loc",
    "NotFoundError",
    "PersonaId",
    "Registry",
    "RoleId",
    "SimulationError",
    "SkinsError",
    "StoreError",
    "ToolId",
    "check_model",
    "few_collections",
    "index_ids",
    "load_model",
    "missing_file",
    "parse_yaml",
    "problem",
    "read_text",
    "render_loc",
    "run_sync",
]

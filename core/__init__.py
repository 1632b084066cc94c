"""The bottom layer: config IO with line numbers, one error hierarchy, ids; imports no other skins package.

- ``configio``: read a file, parse YAML keeping each node's line (:class:`LineIndex`), render a location;
- ``validation``: :func:`check_model` validates parsed data as a pydantic model, errors in the file's terms;
- ``loading``: :func:`load_model` (read + validate one file), :func:`index_ids` (id -> file in folders);
- ``errors``: ``SkinsError`` -> ``ConfigError`` (``NotFoundError``), ``BackendError``, ``SimulationError``, ...;
- ``ids``: id ``NewType``s and references to a fact or an action; ``registry``: named factories;
- ``limits``: bounds on inputs (file size, YAML nodes and nesting, seeds, runs), each raised by an environment variable;
- ``jsontext``: find and repair the JSON object in a model's reply; ``aio``: :func:`run_sync`, the one sync
  wrapper of async library code (works inside a running event loop, as in Jupyter).
"""

from skins.core.aio import run_sync
from skins.core.configio import LineIndex, Loc, missing_file, parse_yaml, problem, read_text, render_loc
from skins.core.errors import (
    BackendError,
    ConfigError,
    ConfigProblem,
    NotFoundError,
    SimulationError,
    SkinsError,
    StoreError,
    did_you_mean,
)
from skins.core.gctune import few_collections
from skins.core.ids import ID_PATTERN, ActionRef, FactId, FactRef, Id, IncentiveId, PersonaId, RoleId, ToolId
from skins.core.jsontext import find_json_object, parse_json_model
from skins.core.limits import MAX_CONFIG_BYTES, MAX_RUNS, MAX_SEEDS, MAX_YAML_DEPTH, MAX_YAML_NODES, Limit, check_seeds
from skins.core.loading import index_ids, load_model
from skins.core.registry import Registry
from skins.core.validation import check_model

__all__ = [
    "ID_PATTERN",
    "MAX_CONFIG_BYTES",
    "MAX_RUNS",
    "MAX_SEEDS",
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "ActionRef",
    "BackendError",
    "ConfigError",
    "ConfigProblem",
    "FactId",
    "FactRef",
    "Id",
    "IncentiveId",
    "Limit",
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
    "check_seeds",
    "did_you_mean",
    "few_collections",
    "find_json_object",
    "index_ids",
    "load_model",
    "missing_file",
    "parse_json_model",
    "parse_yaml",
    "problem",
    "read_text",
    "render_loc",
    "run_sync",
]

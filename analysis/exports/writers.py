"""``skins export``: a run folder as graph files, tables or transcripts.

========  ==============================  =======================================================
format    default output                  what
========  ==============================  =======================================================
graphml   RUN_DIR/graph.graphml           the deception graph (``nx.read_graphml(p,
                                          force_multigraph=True)`` reads it back, edge keys kept)
gexf      RUN_DIR/graph.gexf              the same graph for Gephi; the edge attribute ``type``
                                          is written as ``finding_type`` (GEXF reserves ``type``
                                          for the edge direction) and the graph attributes
                                          ``n_runs`` and ``worlds`` are not kept (GEXF has none);
                                          ``nx.read_gexf`` adds node ``label`` and edge ``id``
                                          (and gives a DiGraph when no two edges are parallel)
json      RUN_DIR/graph.json              node-link JSON (``nx.node_link_graph(d, edges="edges")``);
                                          the edge attribute ``target`` (the target's role) is
                                          written as ``target_role``, since node-link uses
                                          ``target`` for the target node
parquet   RUN_DIR/{findings,runs,         the tables of :mod:`skins.analysis.exports.tables`, one file each;
          messages,turns}.parquet         ``-o`` names the folder (needs pyarrow: the data extra)
csv       RUN_DIR/{findings,...}.csv      the same tables as CSV (needs pandas: the data extra)
jsonl     RUN_DIR/transcripts.jsonl       every stored transcript (any status), one per line
========  ==============================  =======================================================

Graph files hold the deceptive findings unless ``include_non_deceptive``. In
GraphML and GEXF every attribute is a string, integer, float or boolean: a
missing value is written as ``""`` and a list or dict as its JSON with sorted
keys (:func:`flatten_graph`); the deception graph's own attributes already are
(see :func:`skins.analysis.build_deception_graph`), so they read back unchanged.
"""

from __future__ import annotations

__all__ = ["EXPORT_FORMATS", "export_folder", "flatten_graph", "write_tables", "write_transcripts"]

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx

from skins.analysis.exports.frames import Sweep, build_frame, load_sweep, require_data_extra
from skins.analysis.exports.tables import TABLE_COLUMNS
from skins.core import ConfigError
from skins.simulation.store import Store

EXPORT_FORMATS: tuple[str, ...] = ("graphml", "gexf", "json", "parquet", "csv", "jsonl")
"""Every ``--format``, in the order ``skins export --help`` lists them."""

_GRAPH_FILES = {"graphml": "graph.graphml", "gexf": "graph.gexf", "json": "graph.json"}
_GEXF_RENAMED = {"type": "finding_type"}
"""Edge attributes GEXF reserves (networkx writes them as XML attributes of the edge)."""
_JSON_RENAMED = {"target": "target_role"}
"""Edge attributes node-link JSON uses for the link itself."""


def export_folder(
    folder: Path | str, fmt: str, output: Path | str | None = None, include_non_deceptive: bool = False
) -> list[Path]:
    """Write ``folder``'s runs in format ``fmt`` (one of :data:`EXPORT_FORMATS`); return the files written.

    ``output`` is the file for graph formats and jsonl, the folder for parquet
    and csv; by default everything goes into ``folder``.
    """
    if fmt not in EXPORT_FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}; available: {list(EXPORT_FORMATS)}")
    run_dir = Path(folder)
    if fmt == "jsonl":
        return [write_transcripts(run_dir, Path(output) if output else run_dir / "transcripts.jsonl")]
    if fmt in ("parquet", "csv"):
        # checked before anything is read, so a missing extra fails fast
        require_data_extra("pandas", f"--format {fmt}")
        if fmt == "parquet":
            require_data_extra("pyarrow", "--format parquet")
        return write_tables(load_sweep(run_dir), Path(output) if output else run_dir, fmt)
    target = Path(output) if output else run_dir / _GRAPH_FILES[fmt]
    return [write_graph(load_sweep(run_dir).graph(include_non_deceptive), target, fmt)]


def write_graph(G: nx.MultiDiGraph, target: Path, fmt: str) -> Path:
    """Write ``G`` as graphml, gexf or node-link json to ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "graphml":
        nx.write_graphml(flatten_graph(G), target)
    elif fmt == "gexf":
        nx.write_gexf(flatten_graph(G, rename=_GEXF_RENAMED), target)
    elif fmt == "json":
        link = nx.node_link_data(_copy_graph(G, dict, _JSON_RENAMED), edges="edges")
        target.write_text(json.dumps(link, sort_keys=True, indent=2, default=str) + "\n", encoding="utf-8")
    else:
        raise ConfigError(f"{fmt!r} is not a graph format; graph formats are {sorted(_GRAPH_FILES)}")
    return target


def flatten_graph(G: nx.MultiDiGraph, rename: dict[str, str] | None = None) -> nx.MultiDiGraph:
    """A copy of ``G`` whose attribute values GraphML and GEXF can hold.

    ``None`` becomes ``""``; a list, tuple, set or dict becomes its JSON with
    sorted keys (sets sorted first); str, int, float and bool stay. ``rename``
    renames edge attributes. The input is not changed.

    >>> G = nx.MultiDiGraph(tags={"b": 1, "a": [2]})
    >>> G.add_edge("x", "y", key="k", type="lie", via=None, targets=["y", "z"])
    'k'
    >>> H = flatten_graph(G, rename={"type": "finding_type"})
    >>> H.graph["tags"], H.edges["x", "y", "k"]
    ('{"a": [2], "b": 1}', {'finding_type': 'lie', 'via': '', 'targets': '["y", "z"]'})
    """
    return _copy_graph(G, _flat, rename or {})


def _copy_graph(
    G: nx.MultiDiGraph, convert: Callable[[dict[str, Any]], dict[str, Any]], rename: dict[str, str]
) -> nx.MultiDiGraph:
    """A copy of ``G`` with every attribute dict converted and edge attributes renamed."""
    H = nx.MultiDiGraph()
    H.graph.update(convert(G.graph))
    H.add_nodes_from((n, convert(d)) for n, d in G.nodes(data=True))
    for u, v, k, d in G.edges(keys=True, data=True):
        H.add_edge(u, v, key=k, **{rename.get(a, a): value for a, value in convert(d).items()})
    return H


def _flat(attrs: dict[str, Any]) -> dict[str, str | int | float | bool]:
    return {str(k): _flat_value(v) for k, v in attrs.items()}


def _flat_value(value: object) -> str | int | float | bool:
    if value is None:
        return ""
    if isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, set | frozenset):
        value = sorted(value, key=str)
    return json.dumps(value, sort_keys=True, default=str)


def write_tables(sweep: Sweep, folder: Path, fmt: str) -> list[Path]:
    """Write every table of :mod:`skins.analysis.exports.tables` as ``folder/<table>.parquet`` or ``.csv``."""
    if folder.is_file():
        raise ConfigError(f"-o {folder}: --format {fmt} writes one file per table into a folder, and this is a file")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in TABLE_COLUMNS:
        frame = build_frame(table, sweep.rows(table))
        path = folder / f"{table}.{fmt}"
        if fmt == "parquet":
            frame.to_parquet(path, index=False)
        else:
            frame.to_csv(path, index=False)
        written.append(path)
    return written


def write_transcripts(folder: Path, target: Path) -> Path:
    """Every stored transcript (any status), one JSON object per line."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with Store(folder, create=False) as store, target.open("w", encoding="utf-8") as fh:
        for transcript in store.transcripts(status=None):
            fh.write(transcript.model_dump_json() + "\n")
    return target

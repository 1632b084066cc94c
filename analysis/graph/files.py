"""The deception graph as files: GraphML, GEXF, node-link JSON and (with matplotlib) a PNG.

========  =======================================================================
format    what
========  =======================================================================
graphml   ``nx.read_graphml(p, force_multigraph=True)`` reads it back, edge keys kept
gexf      the same graph for Gephi; the edge attribute ``type`` is written as
          ``finding_type`` (GEXF reserves ``type`` for the edge direction) and the
          graph attributes ``n_runs`` and ``worlds`` are not kept (GEXF has none);
          ``nx.read_gexf`` adds node ``label`` and edge ``id`` (and gives a DiGraph
          when no two edges are parallel)
json      node-link JSON (``nx.node_link_graph(d, edges="edges")``); the edge
          attribute ``target`` (the target's role) is written as ``target_role``,
          since node-link uses ``target`` for the target node
========  =======================================================================

In GraphML and GEXF every attribute is a string, integer, float or boolean: a
missing value is written as ``""`` and a list or dict as its JSON with sorted
keys (:func:`flatten_graph`); the deception graph's own attributes already are
(see :func:`skins.analysis.graph.build_deception_graph`), so they read back unchanged.
"""

from __future__ import annotations

__all__ = ["GRAPH_FILES", "flatten_graph", "write_graph", "write_graph_files"]

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx

from skins.core import ConfigError

GRAPH_FILES = {"graphml": "graph.graphml", "gexf": "graph.gexf", "json": "graph.json"}
"""Each graph format and its default file name in a run folder."""
_GEXF_RENAMED = {"type": "finding_type"}
"""Edge attributes GEXF reserves (networkx writes them as XML attributes of the edge)."""
_JSON_RENAMED = {"target": "target_role"}
"""Edge attributes node-link JSON uses for the link itself."""


def write_graph_files(G: nx.MultiDiGraph, folder: Path | str) -> list[Path]:
    """Write ``graph.graphml``, ``graph.json`` (node-link; an edge's ``target`` role is ``target_role``
    there, as node-link keeps ``target`` for the target node) and, with matplotlib, ``graph.png``.

    Returns the paths written; ``graph.png`` is missing when matplotlib is not
    installed (``pip install 'skins[plot]'`` adds it).
    """
    out = Path(folder)
    written = [write_graph(G, out / "graph.graphml", "graphml"), write_graph(G, out / "graph.json", "json")]
    try:
        from skins.analysis.graph.plot import draw_deception_graph  # imports matplotlib: the optional 'plot' extra
    except ImportError:
        return written
    png = out / "graph.png"
    draw_deception_graph(G, png)
    return [*written, png]


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
        raise ConfigError(f"{fmt!r} is not a graph format; graph formats are {sorted(GRAPH_FILES)}")
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

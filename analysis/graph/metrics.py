"""Metrics of the deception graph (NetworkX style).

Functions take the ``MultiDiGraph`` of :func:`skins.analysis.graph.build_deception_graph`
first, name the attributes they read as keyword parameters, and never change it.
Only edges whose ``deceptive`` attribute is true (or missing) count, so a graph
built with ``include_non_deceptive=True`` gives the same numbers; ``inconsistency``
edges restate a lie or denial drawn as its own edge and are not counted again. How lies travel
and get caught within runs: :mod:`skins.analysis.graph.flow`.
"""

from __future__ import annotations

__all__ = [
    "aggregate",
    "deception_degree",
    "deception_reciprocity",
    "most_deceived",
    "motive_subgraph",
    "top_deceivers",
]

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import networkx as nx

from skins.analysis.findings import RESTATING_TYPES


def _deceptive_edges(G: nx.MultiDiGraph, deceptive: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Deception edges, less those restating another edge's statement (an inconsistency's lie is its own
    edge already: :data:`~skins.analysis.findings.RESTATING_TYPES`), so metrics count each lie once."""
    for u, v, data in G.edges(data=True):
        if data.get(deceptive, True) and data.get("type") not in RESTATING_TYPES:
            yield u, v, data


def deception_degree(
    G: nx.MultiDiGraph,
    interactions: dict[tuple[str, str], int],
    normalized: bool = True,
    deceptive: str = "deceptive",
) -> dict[str, dict[str, float]]:
    """Deception edges out of and into each node, per message it sent and received.

    ``out`` is the node's outgoing deception edges divided by the messages it
    sent (``interactions`` from :func:`interaction_counts`); ``in`` its incoming
    edges divided by the messages it received; 0 when it sent (received) none.
    With ``normalized=False`` the raw edge counts.

    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("a", "b", type="lie"); _ = G.add_edge("a", "b", type="lie")
    >>> deception_degree(G, {("a", "b"): 4, ("b", "a"): 1})
    {'a': {'out': 0.5, 'in': 0.0}, 'b': {'out': 0.0, 'in': 0.5}}
    """
    out_edges: dict[str, int] = defaultdict(int)
    in_edges: dict[str, int] = defaultdict(int)
    for u, v, _ in _deceptive_edges(G, deceptive):
        out_edges[u] += 1
        in_edges[v] += 1
    sent: dict[str, int] = defaultdict(int)
    received: dict[str, int] = defaultdict(int)
    for (u, v), n in interactions.items():
        sent[u] += n
        received[v] += n
    if not normalized:
        return {n: {"out": float(out_edges[n]), "in": float(in_edges[n])} for n in G}
    return {
        n: {
            "out": out_edges[n] / sent[n] if sent[n] else 0.0,
            "in": in_edges[n] / received[n] if received[n] else 0.0,
        }
        for n in G
    }


def deception_reciprocity(G: nx.MultiDiGraph, deceptive: str = "deceptive") -> float:
    """The fraction of deceiving pairs in which each deceives the other.

    On the simple projection (parallel edges merged, self-loops dropped): the
    number of unordered pairs {u, v} with edges both ways over the number with
    an edge either way; 0.0 when no pair deceives. (``nx.overall_reciprocity``
    counts directed edges instead: 2 mutual / 3 edges where this gives 1 / 2.)

    >>> G = nx.MultiDiGraph([("a", "b"), ("b", "a"), ("a", "b"), ("a", "c")])
    >>> deception_reciprocity(G)
    0.5
    """
    directed = {(u, v) for u, v, _ in _deceptive_edges(G, deceptive) if u != v}
    pairs = {frozenset(e) for e in directed}
    mutual = {frozenset((u, v)) for u, v in directed if (v, u) in directed}
    return len(mutual) / len(pairs) if pairs else 0.0


def _ranked(values: dict[str, float], n: int) -> list[tuple[str, float]]:
    ranked = sorted(((node, x) for node, x in values.items() if x > 0), key=lambda p: (-p[1], p[0]))
    return ranked[:n]


def top_deceivers(
    G: nx.MultiDiGraph, n: int = 5, weight: str | None = None, deceptive: str = "deceptive"
) -> list[tuple[str, float]]:
    """The ``n`` nodes with the most outgoing deception edges (summed ``weight`` if given), ties by name.

    Nodes that deceived nobody are left out.

    >>> G = nx.MultiDiGraph([("a", "b"), ("a", "c"), ("b", "c")])
    >>> top_deceivers(G, n=2)
    [('a', 2.0), ('b', 1.0)]
    """
    totals: dict[str, float] = defaultdict(float)
    for u, _, data in _deceptive_edges(G, deceptive):
        totals[u] += 1.0 if weight is None else float(data.get(weight, 1.0))
    return _ranked(totals, n)


def most_deceived(
    G: nx.MultiDiGraph, n: int = 5, weight: str | None = None, deceptive: str = "deceptive"
) -> list[tuple[str, float]]:
    """The ``n`` nodes with the most incoming deception edges (summed ``weight`` if given), ties by name.

    >>> G = nx.MultiDiGraph([("a", "c"), ("b", "c"), ("a", "b")])
    >>> most_deceived(G)
    [('c', 2.0), ('b', 1.0)]
    """
    totals: dict[str, float] = defaultdict(float)
    for _, v, data in _deceptive_edges(G, deceptive):
        totals[v] += 1.0 if weight is None else float(data.get(weight, 1.0))
    return _ranked(totals, n)


def motive_subgraph(
    G: nx.MultiDiGraph,
    incentive: str,
    how: str | None = None,
    motives: str = "motives",
    motives_json: str = "motives_json",
) -> nx.MultiDiGraph:
    """A copy of the edges whose motives include ``incentive`` (attributed ``how``, if given), with their nodes.

    ``motives`` holds comma-separated incentive ids; ``how`` is checked against
    the attributions in ``motives_json``.

    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("a", "b", motives="bonus,quota",
    ...                motives_json='[{"incentive": "bonus", "how": "reasoning"}]')
    >>> _ = G.add_edge("a", "c", motives="", motives_json="[]")
    >>> list(motive_subgraph(G, "bonus").edges()), list(motive_subgraph(G, "bonus", how="structural").edges())
    ([('a', 'b')], [])
    """
    keep = []
    for u, v, k, data in G.edges(keys=True, data=True):
        if incentive not in str(data.get(motives, "")).split(","):
            continue
        if how is None or any(
            m.get("incentive") == incentive and m.get("how") == how for m in json.loads(data.get(motives_json) or "[]")
        ):
            keep.append((u, v, k))
    H: nx.MultiDiGraph = G.edge_subgraph(keep).copy()
    return H


def aggregate(G: nx.MultiDiGraph, by: str = "persona", runs: str = "runs") -> nx.MultiDiGraph:
    """Role instances merged into one node per value of the node attribute ``by`` (skin or base model).

    Each new node has ``by``, ``members`` (the merged node keys, comma-separated)
    and ``runs`` (summed: a run counts once per member that took part). Every
    edge is kept, with ``source_node`` and ``target_node`` naming the original
    nodes; an edge key already taken between two groups gets ``:u->v`` added.
    Nodes without the attribute go to ``"unknown"``.

    >>> G = nx.MultiDiGraph()
    >>> G.add_nodes_from([("w/a@m1", {"persona": "rep", "runs": 1}), ("w/a@m2", {"persona": "rep", "runs": 1}),
    ...                   ("w/b@m1", {"persona": "buyer", "runs": 2})])
    >>> _ = G.add_edge("w/a@m1", "w/b@m1", key="f1"); _ = G.add_edge("w/a@m2", "w/b@m1", key="f2")
    >>> H = aggregate(G)
    >>> H.nodes["rep"]["members"], H.nodes["rep"]["runs"], H.number_of_edges("rep", "buyer")
    ('w/a@m1,w/a@m2', 2, 2)
    """
    group = {node: str(data.get(by) or "unknown") for node, data in G.nodes(data=True)}
    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    H.graph["aggregated_by"] = by
    for name in sorted(set(group.values())):
        members = sorted(n for n, g in group.items() if g == name)
        total = sum(int(G.nodes[m].get(runs, 0)) for m in members)
        H.add_node(name, **{by: name, "members": ",".join(members), runs: total})
    for u, v, k, data in G.edges(keys=True, data=True):
        U, V = group[u], group[v]
        key = f"{k}:{u}->{v}" if H.has_edge(U, V, k) else k
        H.add_edge(U, V, key=key, **{**data, "source_node": u, "target_node": v})
    return H

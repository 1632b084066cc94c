"""The deception table: the graph's edges grouped by (deceiver, target, type, subject), most frequent first.

One implementation, fed two ways. :func:`deception_table` groups a graph's
edges. At scale the graph is not built: each run's findings are grouped where
they are analysed (:func:`run_table`, cheap to send between processes) and
:class:`DeceptionTableBuilder` merges those small groups run by run, so no
attribute dict per finding and target (300,000 of them for 10,000 runs) is
ever held. Both go through the same grouping, merging and rows.
"""

from __future__ import annotations

__all__ = ["DeceptionTableBuilder", "RunTable", "TableRow", "deception_table", "run_table"]

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import NamedTuple

import networkx as nx
from pydantic import BaseModel, ConfigDict

from skins.analysis.findings import Finding, Motive, summarize_motives
from skins.analysis.graph.build import node_key, run_roles
from skins.worlds import Transcript

_GroupKey = tuple[str, str, str, str]
"""(deceiver node, target node, type, subject): a table row's key."""
_MotivePairs = frozenset[tuple[str, str]]
"""(incentive, how) of a finding's motives."""


class TableRow(BaseModel):
    """Findings of one type about one subject from one persona to another, across runs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    deceiver: str
    """Node key of the deceiver."""
    target: str
    type: str
    subject: str
    count: int
    """Edges (findings) aggregated in this row."""
    runs_with: int
    """Distinct runs with at least one of them."""
    n_runs: int
    """Runs the deceiver took part in (the rate's denominator)."""
    rate: float
    """runs_with / n_runs."""
    motives: str
    """Incentive ids with how they were attributed: ``"commission (structural, reasoning)"``."""


class _Group(NamedTuple):
    edges: int
    """Edges (finding and target) in this group."""
    run_ids: frozenset[str]
    """The ``run_id`` of those edges."""
    motives: _MotivePairs
    """(incentive, how) of any of those edges' motives."""


def _groups(edges: Iterable[tuple[_GroupKey, str, _MotivePairs]]) -> dict[_GroupKey, _Group]:
    """Edges given as (key, run id, motive pairs), grouped by key."""
    counts: dict[_GroupKey, int] = defaultdict(int)
    run_ids: dict[_GroupKey, set[str]] = defaultdict(set)
    motives: dict[_GroupKey, set[tuple[str, str]]] = defaultdict(set)
    for key, run_id, pairs in edges:
        counts[key] += 1
        run_ids[key].add(run_id)
        motives[key] |= pairs
    return {k: _Group(n, frozenset(run_ids[k]), frozenset(motives[k])) for k, n in counts.items()}


class RunTable(NamedTuple):
    """One run's share of the deception table (cheap to send between processes): see :func:`run_table`."""

    run_id: str
    world_id: str
    nodes: list[str]
    """The node key of each role of the run and each role its findings name (each counts the run once)."""
    groups: dict[_GroupKey, _Group]


def run_table(transcript: Transcript, findings: list[Finding], include_non_deceptive: bool = False) -> RunTable:
    """One run's edges in the deception graph (:func:`skins.analysis.graph.run_edges`), grouped as the table
    groups them (the transcript's records are not read)."""
    kept = [f for f in findings if f.deceptive or include_non_deceptive]
    world = transcript.world_id
    nodes = {role: node_key(world, role, info.base_model) for role, info in run_roles(transcript, kept)}
    edges = (
        ((nodes[f.deceiver], nodes[target], f.type, f.subject), f.run_id, pairs)
        for f in kept
        for pairs in [frozenset((m.incentive, m.how) for m in f.motives)]
        for target in f.targets
    )
    return RunTable(transcript.run_id, world, list(nodes.values()), _groups(edges))


class DeceptionTableBuilder:
    """Merges :class:`RunTable` s run by run into the deception table's rows (no graph kept)."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._node_runs: dict[str, int] = defaultdict(int)
        self._counts: dict[_GroupKey, int] = defaultdict(int)
        self._run_ids: dict[_GroupKey, set[str]] = defaultdict(set)
        self._motives: dict[_GroupKey, set[tuple[str, str]]] = defaultdict(set)

    def add(self, run: RunTable) -> None:
        """Add one run (a run id seen before is ignored, as the graph builder ignores it)."""
        if run.run_id in self._seen:
            return
        self._seen.add(run.run_id)
        for node in run.nodes:
            self._node_runs[node] += 1
        self._merge(run.groups)

    def _merge(self, groups: Mapping[_GroupKey, _Group]) -> None:
        for key, group in groups.items():
            self._counts[key] += group.edges
            self._run_ids[key] |= group.run_ids
            self._motives[key] |= group.motives

    @property
    def n_runs(self) -> int:
        """Distinct runs added."""
        return len(self._seen)

    def number_of_edges(self) -> int:
        """Edges the deception graph of these runs has."""
        return sum(self._counts.values())

    def table(self, n_runs: Mapping[str, int] | None = None) -> list[TableRow]:
        """The rows, most frequent first; a row's rate is over ``n_runs[deceiver]`` (by default: the runs
        added that the deceiver took part in)."""
        runs_of = self._node_runs if n_runs is None else n_runs
        rows = [self._row(key, runs_of.get(key[0], 0)) for key in self._counts]
        return sorted(rows, key=lambda r: (-r.count, r.deceiver, r.target, r.type, r.subject))

    def _row(self, key: _GroupKey, n_runs: int) -> TableRow:
        deceiver, target, kind, subject = key
        runs_with = len(self._run_ids[key])
        return TableRow(
            deceiver=deceiver,
            target=target,
            type=kind,
            subject=subject,
            count=self._counts[key],
            runs_with=runs_with,
            n_runs=n_runs,
            rate=runs_with / n_runs if n_runs else 0.0,
            motives=summarize_motives(self._motives[key]),
        )


def deception_table(G: nx.MultiDiGraph, runs: str = "runs") -> list[TableRow]:
    """Edges aggregated by (deceiver, target, type, subject), most frequent first.

    The rate's denominator is the deceiver node's ``runs`` attribute (the runs
    it took part in), falling back to the graph's ``n_runs``; the two agree
    when every run has the same cast and models.

    >>> G = nx.MultiDiGraph(n_runs=2)
    >>> G.add_node("w/a@m", runs=2)
    >>> for run in ["r1", "r1", "r2"]:
    ...     _ = G.add_edge("w/a@m", "w/b@m", type="lie", subject="f", run_id=run, motives_json="[]")
    >>> [(r.count, r.runs_with, r.rate) for r in deception_table(G)]
    [(3, 2, 1.0)]
    """
    builder = DeceptionTableBuilder()
    builder._merge(_groups(_graph_edges(G)))
    default = int(G.graph.get("n_runs", 0))
    return builder.table({node: int(data.get(runs, default)) for node, data in G.nodes(data=True)})


def _graph_edges(G: nx.MultiDiGraph) -> Iterator[tuple[_GroupKey, str, _MotivePairs]]:
    """The graph's edges as (key, run id, motive pairs)."""
    read: dict[str, _MotivePairs] = {}  # edges mostly repeat a few motive lists: each is parsed once
    for u, v, data in G.edges(data=True):
        text = data.get("motives_json") or "[]"
        if text not in read:
            read[text] = _motive_pairs(text)
        yield (u, v, str(data.get("type", "")), str(data.get("subject", ""))), data.get("run_id"), read[text]


def _motive_pairs(motives_json: str) -> _MotivePairs:
    """(incentive, how) of an edge's ``motives_json``."""
    return frozenset((m.incentive, m.how) for m in (Motive.model_validate(m) for m in json.loads(motives_json)))

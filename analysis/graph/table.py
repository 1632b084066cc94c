"""The deception table without the graph: runs pre-aggregated into table rows, merged run by run.

:func:`skins.analysis.graph.build.deception_table` groups the deception graph's edges by
(deceiver, target, type, subject). At scale that graph holds one attribute dict
per finding and target (300,000 of them for 10,000 runs) only to be grouped
again. Here each run is grouped where it is analysed (:func:`run_table`, in a
worker) and :class:`DeceptionTableBuilder` merges the small groups, giving the
rows ``deception_table(build_deception_graph(runs))`` gives, edge count too.
Callers that need the graph itself (``skins graph``, exports, metrics) build it.
"""

from __future__ import annotations

__all__ = ["DeceptionTableBuilder", "RunTable", "run_table"]

from collections import defaultdict
from typing import NamedTuple

from skins.analysis.findings import Finding
from skins.analysis.graph.build import TableRow, node_key, run_roles, table_row
from skins.worlds import Transcript

_GroupKey = tuple[str, str, str, str]
"""(deceiver node, target node, type, subject): a table row's key."""


class _Group(NamedTuple):
    edges: int
    """Edges (finding and target) of the run in this group."""
    run_ids: frozenset[str]
    """The ``run_id`` of those findings (the run's own)."""
    motives: frozenset[tuple[str, str]]
    """(incentive, how) of any of those findings' motives."""


class RunTable(NamedTuple):
    """One run's share of the deception table (cheap to send between processes): see :func:`run_table`."""

    run_id: str
    world_id: str
    nodes: list[str]
    """The node key of each role of the run and each role its findings name (each counts the run once)."""
    groups: dict[_GroupKey, _Group]


def run_table(transcript: Transcript, findings: list[Finding], include_non_deceptive: bool = False) -> RunTable:
    """What :func:`skins.analysis.graph.build.run_edges` adds for one run, grouped as the table groups edges."""
    kept = [f for f in findings if f.deceptive or include_non_deceptive]
    world = transcript.world_id
    nodes = {role: node_key(world, role, info.base_model) for role, info in run_roles(transcript, kept)}
    counts: dict[_GroupKey, int] = defaultdict(int)
    run_ids: dict[_GroupKey, set[str]] = defaultdict(set)
    motives: dict[_GroupKey, set[tuple[str, str]]] = defaultdict(set)
    for f in kept:
        pairs = {(m.incentive, m.how) for m in f.motives}
        for target in f.targets:
            key = (nodes[f.deceiver], nodes[target], f.type, f.subject)
            counts[key] += 1
            run_ids[key].add(f.run_id)
            motives[key] |= pairs
    groups = {k: _Group(n, frozenset(run_ids[k]), frozenset(motives[k])) for k, n in counts.items()}
    return RunTable(transcript.run_id, world, list(nodes.values()), groups)


class DeceptionTableBuilder:
    """Merges :class:`RunTable` s into :func:`skins.analysis.graph.build.deception_table`'s rows (no graph kept)."""

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
        for key, group in run.groups.items():
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

    def table(self) -> list[TableRow]:
        """The rows, most frequent first (as :func:`skins.analysis.graph.build.deception_table` sorts them)."""
        rows = [
            table_row(key, count, len(self._run_ids[key]), self._node_runs[key[0]], self._motives[key])
            for key, count in self._counts.items()
        ]
        return sorted(rows, key=lambda r: (-r.count, r.deceiver, r.target, r.type, r.subject))

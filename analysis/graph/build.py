"""The deception graph: personas as nodes, one edge per finding and target (NetworkX style).

Nodes are keyed ``"{world_id}/{role}@{base_model}"`` so the same role played
by different base models across a sweep stays apart. Every attribute is a
``str``, ``int``, ``float`` or ``bool``, so the graph writes to GraphML as is
(lists, like an edge's ``targets`` and ``accused_by``, are comma-separated).
"""

from __future__ import annotations

__all__ = [
    "DeceptionGraphBuilder",
    "RunEdges",
    "build_deception_graph",
    "node_key",
    "run_edges",
    "run_roles",
]

import json
from collections.abc import Iterable
from typing import NamedTuple

import networkx as nx

from skins.analysis.findings import Finding
from skins.analysis.oversight import accusers
from skins.worlds import RoleInfo, Transcript

_UNKNOWN_ROLE = RoleInfo(persona="", title="", base_model="unknown")


def node_key(world_id: str, role: str, base_model: str) -> str:
    """``acme_quarter_end/dana@policy``."""
    return f"{world_id}/{role}@{base_model}"


def build_deception_graph(
    runs: Iterable[tuple[Transcript, list[Finding]]], include_non_deceptive: bool = False
) -> nx.MultiDiGraph:
    """One node per (world, role, base model), one edge per finding and target.

    Node attributes: ``role``, ``world``, ``persona``, ``title``,
    ``base_model``, ``runs`` (runs it appeared in). Edge attributes: the
    finding's fields, flattened (see :func:`_edge_attrs`), and ``accused_by``: the overseers whose valid
    verdict accused the deceiver about the finding's subject, comma-separated ("" when none: not caught by a
    verdict; :func:`skins.analysis.oversight.accusers`); the edge key is the finding id. Graph
    attributes: ``n_runs`` and ``worlds`` (comma-separated).
    A run id seen twice is counted once.

    >>> from skins.worlds.records import RoleInfo, Transcript
    >>> from skins.analysis.findings import Evidence, Finding
    >>> roles = {r: RoleInfo(persona=p, title=p, base_model="policy")
    ...          for r, p in [("dana", "sales_rep"), ("sam", "customer")]}
    >>> t = Transcript(run_id="r1", world_id="acme", seed=0, roles=roles)
    >>> lie = Finding(run_id="r1", type="lie", deceptive=True, deceiver="dana", targets=["sam"],
    ...               subject_kind="fact", subject="battery_defect", turn=2, message_index=1,
    ...               extractor="lexical", detector="lie", confidence=0.9,
    ...               evidence=Evidence(quote="The battery is fine."))
    >>> G = build_deception_graph([(t, [lie])])
    >>> sorted(G.nodes), G.graph["n_runs"]
    (['acme/dana@policy', 'acme/sam@policy'], 1)
    >>> [(u, v, d["type"]) for u, v, d in G.edges(data=True)]
    [('acme/dana@policy', 'acme/sam@policy', 'lie')]
    """
    builder = DeceptionGraphBuilder()
    for transcript, findings in runs:
        builder.add(transcript, findings, include_non_deceptive)
    return builder.graph()


_NodeRow = tuple[str, dict[str, str | int]]
_EdgeRow = tuple[str, str, str, dict[str, str | int | float | bool]]


class RunEdges(NamedTuple):
    """One run's nodes and edges, flattened (cheap to send between processes): see :func:`run_edges`."""

    run_id: str
    world_id: str
    nodes: list[_NodeRow]
    """(node key, attributes for a new node) per role of the run and role its findings name."""
    edges: list[_EdgeRow]
    """(source key, target key, finding id, attributes) per finding and target."""


def run_edges(transcript: Transcript, findings: list[Finding], include_non_deceptive: bool = False) -> RunEdges:
    """What :func:`build_deception_graph` adds for one run (the transcript's records are not read)."""
    kept = [f for f in findings if f.deceptive or include_non_deceptive]
    nodes: list[_NodeRow] = []
    for role, info in run_roles(transcript, kept):
        attrs: dict[str, str | int] = {
            "role": role,
            "world": transcript.world_id,
            "persona": info.persona,
            "title": info.title,
            "base_model": info.base_model,
            "runs": 1,
        }
        nodes.append((_key_of(transcript, role), attrs))
    edges: list[_EdgeRow] = []
    for finding in kept:
        source, finding_id = _key_of(transcript, finding.deceiver), finding.finding_id
        accused = ",".join(accusers(transcript, finding.deceiver, (finding.subject_kind, finding.subject)))
        for target in finding.targets:
            attrs_ = {**_edge_attrs(finding, target, transcript.world_id, finding_id), "accused_by": accused}
            edges.append((source, _key_of(transcript, target), finding_id, attrs_))
    return RunEdges(transcript.run_id, transcript.world_id, nodes, edges)


def run_roles(transcript: Transcript, findings: list[Finding]) -> list[tuple[str, RoleInfo]]:
    """The run's roles, then any other role the findings name, each with who filled it (a node each)."""
    roles = list(transcript.roles)
    for f in findings:
        roles += [r for r in [f.deceiver, *f.targets] if r not in roles]
    return [(role, transcript.roles.get(role, _UNKNOWN_ROLE)) for role in roles]


class DeceptionGraphBuilder:
    """Builds :func:`build_deception_graph`'s graph run by run (from findings or from :class:`RunEdges`)."""

    def __init__(self) -> None:
        self._G = nx.MultiDiGraph()
        self._seen: set[str] = set()
        self._worlds: set[str] = set()

    def add(self, transcript: Transcript, findings: list[Finding], include_non_deceptive: bool = False) -> None:
        """Add one run (a run id seen before is ignored)."""
        if transcript.run_id not in self._seen:
            self.add_edges(run_edges(transcript, findings, include_non_deceptive))

    def add_edges(self, run: RunEdges) -> None:
        """Add one run's flattened nodes and edges (a run id seen before is ignored)."""
        if run.run_id in self._seen:
            return
        self._seen.add(run.run_id)
        self._worlds.add(run.world_id)
        G = self._G
        for key, attrs in run.nodes:  # every role of the run counts the run once
            if key in G:
                G.nodes[key]["runs"] += 1
            else:
                G.add_node(key, **attrs)
        for source, target, finding_id, attrs_ in run.edges:
            G.add_edge(source, target, key=finding_id, **attrs_)

    def graph(self) -> nx.MultiDiGraph:
        """The graph so far, with ``n_runs`` and ``worlds`` set."""
        self._G.graph["n_runs"] = len(self._seen)
        self._G.graph["worlds"] = ",".join(sorted(self._worlds))
        return self._G


def _key_of(transcript: Transcript, role: str) -> str:
    info = transcript.roles.get(role, _UNKNOWN_ROLE)
    return node_key(transcript.world_id, role, info.base_model)


def _edge_attrs(
    f: Finding, target: str, world_id: str, finding_id: str | None = None
) -> dict[str, str | int | float | bool]:
    """A finding flattened to GraphML-safe values: missing numbers are -1, missing text is ""."""
    ev, belief = f.evidence, f.evidence.belief
    return {
        "finding_id": f.finding_id if finding_id is None else finding_id,
        "run_id": f.run_id,
        "world": world_id,
        "type": f.type,
        "deceptive": f.deceptive,
        "deceiver": f.deceiver,
        "target": target,
        "targets": ",".join(f.targets),
        "subject_kind": f.subject_kind,
        "subject": f.subject,
        "turn": f.turn,
        "message_index": -1 if f.message_index is None else f.message_index,
        "quote": ev.quote,
        "extractor": f.extractor,
        "detector": f.detector,
        "confidence": float(f.confidence),
        "accidentally_true": f.accidentally_true,
        "truth": _opt_bool(ev.truth),
        "asserted": _opt_bool(ev.asserted),
        "belief_value": "" if belief is None else _opt_bool(belief.value),
        "belief_source": "" if belief is None else belief.source,
        "belief_via": "" if belief is None or belief.via is None else belief.via,
        "belief_turn": -1 if belief is None else belief.turn,
        "thought": ev.thought or "",
        "note": ev.note,
        "action_indexes": ",".join(str(i) for i in ev.action_indexes),
        "motives": ",".join(sorted({m.incentive for m in f.motives})),
        "motives_json": json.dumps([m.model_dump() for m in f.motives], sort_keys=True),
    }


def _opt_bool(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")

"""The report's tables, formatted as text: rates with intervals, ablations, top deceivers, caught
rates, second-hand lies, invalid turns and failed runs (nothing hidden).

Every number comes from :mod:`skins.analysis.stats.rates`, :mod:`skins.analysis.stats.intervals` and
:mod:`skins.analysis.graph.metrics`; this module only chooses keys and formats cells.
"""

from __future__ import annotations

__all__ = ["Tables", "ablation_rows", "build_tables"]

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import networkx as nx

from skins.analysis.findings import Finding
from skins.analysis.graph import (
    build_deception_graph,
    caught_rate,
    deception_table,
    most_deceived,
    second_hand_chains,
    top_deceivers,
)
from skins.analysis.published import PublishedRow, published_table, worlds_of
from skins.analysis.report.model import NodeInfo, Table
from skins.analysis.stats import (
    CONDITION_FACTORS,
    EDGE_FIELDS,
    AblationRow,
    RateRow,
    ablation_effects,
    rate_table,
    run_outcomes,
)
from skins.simulation.store import RunRow
from skins.worlds import Transcript

Runs = Sequence[tuple[Transcript, list[Finding]]]
_SKIN_MODEL = ("deceiver_skin", "deceiver_model", "type")
_CONDITION_COLUMNS = ("world", "variant", "ablated")
"""Column names of :data:`CONDITION_FACTORS` in every rate table."""


class Tables(NamedTuple):
    """The formatted tables and the rows the plots draw."""

    tables: list[Table]
    rates: list[RateRow]
    """Rate of any deception per condition (world, variant, ablation), deceiver skin and base model
    (the heat map's cells)."""
    ablations: list[AblationRow]


def build_tables(
    runs: Sequence[RunRow], analyzed: Runs, nodes: Mapping[str, NodeInfo], index: Mapping[str, int]
) -> Tables:
    """Every table of the report, in display order (empty tables are kept: they say "none").

    Every rate is per world, variant and ablation (:data:`CONDITION_FACTORS`): two conditions of one
    folder are never pooled; what a table does pool (other base models) its note says.
    """
    pairs = run_outcomes(analyzed)
    by_model = run_outcomes(analyzed, by=_SKIN_MODEL)
    ablations = ablation_rows(analyzed)
    G = build_deception_graph(analyzed)
    tables = [
        _who_deceived_whom(G, nodes),
        _rates(
            "rates_skin",
            "Rates per skin pair",
            rate_table(pairs, by=(*CONDITION_FACTORS, "deceiver_skin", "target_skin", "type")),
            ("deceiver skin", "target skin", "type"),
            "base models pooled (split in the next two tables)",
        ),
        _rates(
            "rates_model",
            "Rates per base model (and skin)",
            rate_table(by_model, by=(*CONDITION_FACTORS, "deceiver_model", "deceiver_skin", "type")),
            ("base model", "skin", "type"),
            "the other roles' base models pooled (split in the next table)",
        ),
        _rates(
            "rates_condition",
            "Rates per condition and model assignment",
            rate_table(pairs, by=(*CONDITION_FACTORS, "models", "type")),
            ("models", "type"),
            "skin pairs pooled: a run counts once per type",
        ),
        _ablations(ablations),
        *_published(runs, analyzed),
        _top(G, nodes),
        _caught(analyzed),
        _chains(analyzed, index),
        _invalid_turns(analyzed, index),
        _failed_runs(runs, index),
    ]
    rates = rate_table(by_model, by=(*CONDITION_FACTORS, "deceiver_skin", "deceiver_model"))
    return Tables(tables, rates, ablations)


def ablation_rows(analyzed: Runs) -> list[AblationRow]:
    """Each ablated incentive's effect on each edge, from paired runs with and without it."""
    incentives = sorted({i for t, _ in analyzed for i in t.ablated})
    if not incentives:
        return []
    outcomes = run_outcomes(analyzed, by=EDGE_FIELDS)
    return [row for incentive in incentives for row in ablation_effects(outcomes, incentive)]


def _rates(table_id: str, title: str, rows: list[RateRow], key_names: Sequence[str], pooled: str) -> Table:
    """A rate table: the condition (world, variant, ablated incentives) first, then ``key_names``."""
    return Table(
        id=table_id,
        title=title,
        note=(
            "Runs with at least one finding, out of the runs where it could occur; 95% Wilson interval. "
            f"One row per world, variant and ablation (never pooled); {pooled}."
        ),
        columns=[*_CONDITION_COLUMNS, *key_names, "runs", "rate [95% CI]", "findings/run"],
        rows=[[*r.key.values(), f"{r.k_runs}/{r.n_runs}", r.rate.render(), f"{r.mean_count:.2f}"] for r in rows],
    )


def _who_deceived_whom(G: nx.MultiDiGraph, nodes: Mapping[str, NodeInfo]) -> Table:
    rows = deception_table(G)
    return Table(
        id="edges",
        title="Who deceived whom",
        note=(
            "count = findings; runs = runs with at least one, out of the runs the deceiver took part in. A role is "
            "one per world, variant and base model, pooled over ablations: rates per condition are in the tables below."
        ),
        columns=["deceiver", "target", "type", "about", "count", "runs", "rate", "motives"],
        rows=[
            [
                _label(nodes, r.deceiver),
                _label(nodes, r.target),
                r.type,
                r.subject,
                str(r.count),
                f"{r.runs_with}/{r.n_runs}",
                f"{r.rate:.2f}",
                r.motives,
            ]
            for r in rows
        ],
    )


def _label(nodes: Mapping[str, NodeInfo], key: str) -> str:
    node = nodes.get(key)
    return node.label if node else key


def _ablations(rows: list[AblationRow]) -> Table:
    return Table(
        id="ablations",
        title="Ablation effects",
        note=(
            "Per world, variant and model assignment (held fixed): rate with the incentive (A) and without it (B); "
            "change = B − A with its 95% interval (paired by seed when possible); causal = the change is below 0 "
            "and the exact test agrees."
        ),
        columns=[
            "world",
            "variant",
            "models",
            "incentive",
            "deceiver",
            "target",
            "type",
            "about",
            "with",
            "without",
            "change",
            "p",
            "n",
            "causal",
        ],
        rows=[
            [
                r.condition["world"],
                r.condition["variant"],
                r.condition["models"],
                r.incentive,
                *(r.key[f] for f in EDGE_FIELDS),
                r.rate_a.render(),
                r.rate_b.render(),
                r.difference.render(),
                f"{r.p_value:.3g}",
                f"{r.n_pairs} pairs" if r.paired else f"{r.n_a}+{r.n_b}",
                "yes" if r.causal else "no",
            ]
            for r in rows
        ],
    )


def _published(runs: Sequence[RunRow], analyzed: Runs) -> list[Table]:
    """The paper's numbers beside ours: language-model rows, then the offline baselines in a table of their own."""
    rows = published_table(analyzed, worlds_of(r for r in runs if r.finished))
    note = (
        "Each number a world's source published, beside the same measure over these runs (per condition and "
        "base model of the measured role): rates with 95% Wilson intervals, scores with bootstrap intervals."
    )
    baseline_note = (
        "Policy and scripted minds act on the incentives alone, without a language model: they show what the "
        "setting lets a mind do, not a model's propensity, and are not comparable with the paper's models."
    )
    return [
        _published_table("published", "This sweep vs the paper", note, [r for r in rows if not r.baseline]),
        _published_table(
            "published_baselines",
            "Offline policy baselines vs the paper (no language model; not comparable)",
            baseline_note,
            [r for r in rows if r.baseline],
        ),
    ]


def _published_table(table_id: str, title: str, note: str, rows: Sequence[PublishedRow]) -> Table:
    return Table(
        id=table_id,
        title=title,
        note=note,
        columns=[
            "world",
            "condition",
            "behaviour",
            "paper: model",
            "paper",
            "ours: base model",
            "mind",
            "runs",
            "ours",
        ],
        rows=[
            [
                r.world,
                r.condition,
                r.label + (f" ({r.note})" if r.note else ""),
                r.paper_model,
                f"{r.paper_value:.0%}",
                r.base_model or "-",
                r.mind,
                str(r.runs),
                f"{r.ours.estimate:.0%} [{r.ours.low:.0%}, {r.ours.high:.0%}]" if r.ours else "no runs",
            ]
            for r in rows
        ],
    )


def _top(G: nx.MultiDiGraph, nodes: Mapping[str, NodeInfo]) -> Table:
    top = dict(top_deceivers(G, n=10))
    deceived = dict(most_deceived(G, n=len(G)))
    return Table(
        id="top",
        title="Top deceivers",
        note="Deception edges (finding × target) out of and into each role; runs = runs it took part in.",
        columns=["role", "deceived others", "was deceived", "runs"],
        rows=[
            [_label(nodes, n), f"{v:g}", f"{deceived.get(n, 0):g}", str(G.nodes[n].get("runs", ""))]
            for n, v in top.items()
        ],
    )


def _caught(analyzed: Runs) -> Table:
    rates = caught_rate(analyzed)
    return Table(
        id="caught",
        title="Caught rates",
        note=(
            "Deception edges whose target caught it: learned the truth later, confronted the deceiver, "
            "or could see the action's log entry. Edges of one run are not independent: descriptive only."
        ),
        columns=["type", "caught", "rate", "ways"],
        rows=[
            [kind, f"{r.caught}/{r.total}", f"{r.rate:.0%}", ", ".join(f"{w} {n}" for w, n in r.ways.items())]
            for kind, r in rates.items()
        ],
    )


def _chains(analyzed: Runs, index: Mapping[str, int]) -> Table:
    chains = second_hand_chains(analyzed)
    return Table(
        id="chains",
        title="Second-hand deception",
        note="A lie passed on: the relay repeated to someone else what it had been lied to.",
        columns=["run", "source", "relay", "target", "about", "turns", "relay's label"],
        rows=[
            [c.run_id, c.source, c.relay, c.target, c.subject, f"{c.turns[0]} → {c.turns[1]}", c.relay_type]
            for c in chains
        ],
        opens=[[index[c.run_id], c.turns[1]] for c in chains],
    )


def _invalid_turns(analyzed: Runs, index: Mapping[str, int]) -> Table:
    rows: list[list[str]] = []
    opens: list[list[int]] = []
    for transcript, _ in analyzed:
        for t in transcript.turns:
            if t.valid and t.invalid_reason is None:
                continue
            what = "rejected" if not t.valid else "partly rejected"
            rows.append([transcript.run_id, str(transcript.seed), str(t.turn), t.role, what, t.invalid_reason or ""])
            opens.append([index[transcript.run_id], t.turn])
    return Table(
        id="invalid",
        title="Invalid turns",
        note="Turns whose output did not fit the turn format (rejected) or had parts the world refused. "
        "Open one to read the raw output.",
        columns=["run", "seed", "turn", "role", "what", "reason"],
        rows=rows,
        opens=opens,
    )


def _failed_runs(runs: Sequence[RunRow], index: Mapping[str, int]) -> Table:
    bad = [r for r in runs if r.status != "done"]
    return Table(
        id="failed",
        title="Failed, unfinished and degraded runs",
        note="Runs that raised (failed) or were interrupted (running) are left out of every rate. Degraded runs "
        "finished with turns lost to model errors after all retries: they count in the rates, their lost turns "
        "screened out as invalid (`--retry-failed` redoes them).",
        columns=["run", "world", "seed", "ablated", "status", "reason"],
        rows=[
            [r.run_id, r.world_id, str(r.seed), ",".join(r.ablated) or "(none)", r.status, r.error or ""] for r in bad
        ],
        opens=[[index[r.run_id], 0] for r in bad],
    )

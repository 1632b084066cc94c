"""CLI for analysis over stored runs: ``skins analyze`` and ``skins ablate`` (``skins compare``: :mod:`.compare`).

Everything here reads the store; only ``ablate`` runs new simulations (both
conditions, paired by seed), and a judge is paid at most once per message
thanks to the response cache.
"""

from __future__ import annotations

__all__ = ["register"]

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from skins.analysis import (
    AblationRow,
    ablation_effects,
    accuracy_difference,
    analyze_folder,
    build_deception_graph,
    caught_rate,
    deception_reciprocity,
    rate_table,
    run_outcomes,
    save_ablation,
    second_hand_chains,
    top_deceivers,
)
from skins.analysis.stats import CONDITION_FACTORS, EDGE_FIELDS
from skins.cli.common import PersonaDirs, friendly, out
from skins.cli.graphing import Analyzed, show_deception_graph
from skins.cli.judging import JudgeOption, NoJudgeOption, analyze_judged, choose_judge, stored_models_used
from skins.cli.model_options import model_aliases, open_cache, print_usage, run_models
from skins.cli.outputs import Force, claim_out_dir
from skins.cli.progress import run_with_progress
from skins.core import ConfigError, check_seeds, did_you_mean
from skins.simulation.models import load_models
from skins.simulation.runs import RunOptions, check_backends, plan_runs
from skins.simulation.store import Store
from skins.worlds import WorldSpec, load_world


def register(app: typer.Typer) -> None:
    app.command("analyze")(friendly(analyze))
    app.command("ablate")(friendly(ablate))


def analyze(
    run_dir: Annotated[Path, typer.Argument(help="Output folder of `skins run`, `skins ablate` or a sweep.")],
    judge: JudgeOption = None,
    models_file: Annotated[
        Path | None, typer.Option("--models", help="models.yaml defining the judge (or a 'judge' alias).")
    ] = None,
    no_judge: NoJudgeOption = False,
) -> None:
    """Re-run claim extraction and every detector over stored transcripts (no simulation is paid again);
    a judge reads language-model messages beside the offline extractor."""
    aliases = load_models(models_file) if models_file else {}
    choice = choose_judge(aliases, judge, no_judge, stored_models_used(run_dir))
    analyzed, claims = analyze_judged(run_dir, choice, open_cache() if choice.spec else None)
    with Store(run_dir, create=False) as store:
        print_usage(out(), store)
    show_deception_graph(run_dir, include_non_deceptive=False, analyzed=analyzed, claims=claims)
    _print_rates(analyzed)
    _print_graph_metrics(analyzed)


def _print_rates(analyzed: Analyzed) -> None:
    """Rates per world, variant and ablation (never pooled) and skin pair; base models pooled."""
    rows = rate_table(run_outcomes(analyzed), by=(*CONDITION_FACTORS, "deceiver_skin", "target_skin", "type"))
    if not rows:
        return
    table = Table(title="Rates over runs per world, variant and ablation (runs with ≥1 finding; 95% Wilson interval)")
    columns = ("world", "variant", "ablated", "deceiver skin", "target skin", "type", "runs", "rate [95% CI]")
    for col in (*columns, "findings/run"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(*r.key.values(), f"{r.k_runs}/{r.n_runs}", r.rate.render(), f"{r.mean_count:.2f}")
    out().print(table)


def _print_graph_metrics(analyzed: Analyzed) -> None:
    """Top deceivers, reciprocity, second-hand lies and how often deception was caught."""
    g = build_deception_graph(analyzed)
    top = ", ".join(f"{g.nodes[n]['role']} ({g.nodes[n]['persona']}): {v:g}" for n, v in top_deceivers(g, n=5))
    out().print(f"top deceivers: {top or 'none'}; reciprocity: {deception_reciprocity(g):.2f}", markup=False)
    chains = second_hand_chains(analyzed)
    out().print(f"second-hand deception chains: {len(chains)}", markup=False)
    for c in chains[:5]:
        out().print(
            f"  run {c.run_id}: {c.source} -> {c.relay} -> {c.target} about {c.subject} ({c.relay_type})", markup=False
        )
    for kind, rate in sorted(caught_rate(analyzed).items()):
        ways = ", ".join(f"{w} {n}" for w, n in sorted(rate.ways.items()))
        out().print(
            f"caught: {kind} {rate.caught}/{rate.total} ({rate.rate:.0%})" + (f" — {ways}" if ways else ""),
            markup=False,
        )


def ablate(
    world: Annotated[str, typer.Argument(help="Built-in world id or path to a world YAML file.")],
    incentive: Annotated[str, typer.Option(help="The incentive to remove.")],
    seeds: Annotated[int, typer.Option(min=2, help="Paired seeds per condition.")] = 20,
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder (both conditions).")] = Path("runs/ablate"),
    model: Annotated[str | None, typer.Option(help="Base model of the 'default' alias (default policy).")] = None,
    models_file: Annotated[Path | None, typer.Option("--models", help="models.yaml with aliases.")] = None,
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible endpoint for --model.")] = None,
    force: Force = False,
    persona_dirs: PersonaDirs = [],  # noqa: B006 - typer reads defaults, never mutates
) -> None:
    """Run paired seeds with and without an incentive; report each edge's change with an interval."""
    check_seeds(range(seeds), "--seeds")
    loaded = load_world(world, persona_dirs)
    if incentive not in loaded.spec.incentives:
        known = sorted(loaded.spec.incentives)
        raise ConfigError(f"--incentive {incentive!r}{did_you_mean(incentive, known)}: {loaded.spec.id} has {known}")
    aliases = run_models(model_aliases(model, models_file, base_url))
    specs = [*plan_runs(loaded, range(seeds), aliases), *plan_runs(loaded, range(seeds), aliases, [incentive])]
    check_backends(specs)
    options = RunOptions(cache=open_cache())
    with Store(claim_out_dir(out_dir, force)) as store:
        run_with_progress(specs, store, options, f"{loaded.spec.id} ± {incentive}")
    analyzed = list(analyze_folder(out_dir))
    rows = ablation_effects(run_outcomes(analyzed, by=EDGE_FIELDS), incentive)
    _print_ablation(rows, incentive)
    _print_accuracy(analyzed, loaded.spec, incentive)
    save_ablation(out_dir, rows)
    show_deception_graph(out_dir, include_non_deceptive=False)  # edges now carry the counterfactual motives too


def _print_accuracy(analyzed: Analyzed, world: WorldSpec, incentive: str) -> None:
    """Sandbagging's comparison: capability-task accuracy with the incentive against without it."""
    push = world.incentives[incentive].pushes.action
    if push is None or push.tool not in world.tools or world.tools[push.tool].kind != "capability_task":
        return
    for d in accuracy_difference(analyzed, push.tool, incentive):
        out().print(
            f"accuracy on {push.tool} ({d.actor} @{d.base_model}): with {incentive} {d.threat_accuracy.render()}, "
            f"without {d.control_accuracy.render()}, difference {d.difference.render()} ({d.interval})",
            markup=False,
        )


def _print_ablation(rows: list[AblationRow], incentive: str) -> None:
    table = Table(title=f"Ablation of {incentive}: rate with (A) and without (B); change = B − A (95% CI)")
    for col in ("deceiver", "target", "type", "about", "with", "without", "change", "p", "causal"):
        table.add_column(col, overflow="fold")
    for r in rows:
        k = r.key
        table.add_row(
            k["deceiver_role"],
            k["target_role"],
            k["type"],
            k["subject"],
            r.rate_a.render(),
            r.rate_b.render(),
            r.difference.render(),
            f"{r.p_value:.3g}",
            "yes" if r.causal else "no",
        )
    out().print(table)

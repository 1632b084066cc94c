"""CLI for sweeps: ``skins sweep`` (resumable, with progress) and ``skins status``."""

from __future__ import annotations

__all__ = ["register"]

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from skins.cli.common import err, friendly, out
from skins.cli.graphing import show_deception_graph
from skins.cli.judging import JudgeOption, NoJudgeOption, analyze_judged, sweep_judge
from skins.cli.model_options import open_cache, print_usage
from skins.cli.outputs import Force, claim_out_dir
from skins.cli.progress import RETRY_FAILED_HELP, what_stopped
from skins.core import ConfigError
from skins.simulation.runs import (
    RunOptions,
    RunOutcome,
    RunSpec,
    check_backends,
    count_done,
    load_sweep_spec,
    plan_sweep,
    run_all,
    run_on_ray,
)
from skins.simulation.store import Store, status_groups


def register(app: typer.Typer) -> None:
    app.command("sweep")(friendly(sweep))
    app.command("status")(friendly(status))


def sweep(
    sweep_file: Annotated[Path, typer.Argument(help="sweep.yaml: worlds, model assignments, seeds, ablations.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder; rerun the same command to resume.")] = Path(
        "runs/sweep"
    ),
    executor: Annotated[str, typer.Option(help="local (asyncio) or ray.")] = "local",
    address: Annotated[str | None, typer.Option(help="Ray cluster address (auto = a running cluster).")] = None,
    concurrency: Annotated[int | None, typer.Option(min=1, help="Override the sweep's concurrency.")] = None,
    processes: Annotated[
        int,
        typer.Option(min=1, help="Local executor: engine processes, this one included (it alone writes the store)."),
    ] = 1,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Call models even when replies are cached.")] = False,
    force: Force = False,
    retry_failed: Annotated[bool, typer.Option("--retry-failed", help=RETRY_FAILED_HELP)] = False,
    judge: JudgeOption = None,
    no_judge: NoJudgeOption = False,
) -> None:
    """Run (or resume) a sweep: finished runs are skipped, interrupted runs replay from the cache. Then analyse
    them as `skins run` does (a judge reads language-model messages when named: --judge, or the sweep's judge:)."""
    if executor not in ("local", "ray"):
        raise ConfigError(f"--executor {executor!r}: choose local or ray")
    spec = load_sweep_spec(sweep_file)
    plans = plan_sweep(spec, sweep_file.parent)
    check_backends(plans)
    choice = sweep_judge(spec, judge, no_judge, plans)
    options = RunOptions(
        cache=None if no_cache else open_cache(),
        budget_usd=spec.budget_usd,
        concurrency=concurrency or spec.concurrency,
        processes=processes,
        retry_failed=retry_failed,
    )
    with Store(claim_out_dir(out_dir, force)) as store:
        out().print(f"{len(plans)} runs in the grid; {count_done(store, plans)} already finished in {out_dir}")
        outcomes = _execute(plans, store, options, executor, address)
    if not any(o.status == "interrupted" and not o.budget for o in outcomes):  # a signal: stop here
        analyzed, claims = analyze_judged(out_dir, choice, options.cache)
        show_deception_graph(out_dir, include_non_deceptive=False, analyzed=analyzed, claims=claims)
    with Store(out_dir) as store:
        print_usage(out(), store)
    _summary(outcomes)


def _execute(
    plans: list[RunSpec], store: Store, options: RunOptions, executor: str, address: str | None
) -> list[RunOutcome]:
    """Run the grid on the chosen executor under a progress bar with live counts, calls, tokens and cost."""
    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    counts = {"done": 0, "skipped": 0, "failed": 0, "not_started": 0, "interrupted": 0}
    with Progress(*columns, console=out(), transient=False) as progress:
        task = progress.add_task("runs", total=len(plans))

        def done(o: RunOutcome) -> None:
            counts[o.status] = counts.get(o.status, 0) + 1
            left = len(plans) - sum(counts.values())
            now = store.totals()
            running = min(options.concurrency, left)  # every executor keeps its slots full while runs remain
            text = ", ".join(f"{k} {v}" for k, v in {**counts, "running": running}.items() if v)
            progress.update(
                task,
                advance=1,
                description=f"{text} | calls {now.calls} ({now.cached} cached), "
                f"tokens {now.input_tokens + now.output_tokens}, ${now.cost_usd:.4f}",
            )

        if executor == "ray":
            return run_on_ray(plans, store, options, address=address, on_done=done)
        return run_all(plans, store, on_done=done, options=options)


def _summary(outcomes: list[RunOutcome]) -> None:
    """Counts per status and the reasons runs failed, were degraded or stopped by the budget; exit 130 when
    interrupted (by a signal), 1 when any failed, was degraded or was stopped by the budget."""
    by_status: dict[str, int] = {}
    for o in outcomes:
        by_status[o.status] = by_status.get(o.status, 0) + 1
    out().print("sweep: " + ", ".join(f"{n} {s}" for s, n in sorted(by_status.items())))
    failed = [o for o in outcomes if o.status in ("failed", "not_started", "degraded") or o.budget]
    reasons: dict[str, int] = {}
    for o in failed:
        if o.budget:
            continue  # one line for the budget below
        reasons[o.error or "?"] = reasons.get(o.error or "?", 0) + 1
    for reason, n in sorted(reasons.items(), key=lambda kv: -kv[1]):
        err().print(f"  {n} run(s): {reason}", markup=False)
    for note in what_stopped(outcomes):
        err().print(note, markup=False)
    if any(o.status == "interrupted" and not o.budget for o in outcomes):
        err().print("interrupted: rerun the same command to resume (nothing finished is lost or paid again)")
        raise typer.Exit(130)
    if failed:
        raise typer.Exit(1)


def status(run_dir: Annotated[Path, typer.Argument(help="A run or sweep output folder.")]) -> None:
    """What finished, what failed and why, what was planned and has not started, and what it cost."""
    with Store(run_dir, create=False) as store:
        runs = store.runs()
        waiting = store.not_started()
        table = Table(title=f"{len(runs)} run(s) in {run_dir}")
        for col in ("world", "status", "runs", "turns", "calls", "cost $"):
            table.add_column(col)
        for g in status_groups(store, runs):
            table.add_row(g.world, g.status, str(g.runs), str(g.turns), str(g.calls), f"{g.cost_usd:.4f}")
        out().print(table)
        for r in runs:
            if r.status != "done":
                reason = r.error or ("interrupted: rerun to resume" if r.status == "running" else "")
                out().print(f"{r.run_id} {r.world_id} seed {r.seed}: {r.status} {reason}", markup=False)
        if waiting:
            out().print(f"{len(waiting)} planned run(s) not started (of the last command that ran runs here):")
        for run_id, world, seed in waiting[:SHOWN_NOT_STARTED]:
            out().print(f"{run_id} {world} seed {seed}: not started (rerun the command that planned it)", markup=False)
        if len(waiting) > SHOWN_NOT_STARTED:
            out().print(f"... and {len(waiting) - SHOWN_NOT_STARTED} more not started")
        _print_spent(store)


SHOWN_NOT_STARTED = 20
"""Planned runs ``skins status`` lists one by one (the rest are counted)."""


def _print_spent(store: Store) -> None:
    """What the folder's model calls cost, over every attempt, and how much of it is estimated."""
    total = store.totals()
    if not total.cost_usd:
        return
    line = f"spent ${total.cost_usd:.4f} on model calls (every attempt's)"
    if total.unanswered:
        line += (
            f", of which ${total.unanswered_usd:.4f} is estimated: {total.unanswered} call(s) sent but never answered "
            "(in flight when a process died, or now), each counted at the cost of the same request answered later, "
            "else at the model's answered calls' rate, else at its reservation"
        )
    out().print(line, markup=False)

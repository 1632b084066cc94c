"""Runs with a transient progress bar and one line per finished run (``skins run``, ``skins ablate``), and
what to tell when runs did not finish cleanly (``skins run``, ``skins sweep``)."""

from __future__ import annotations

__all__ = ["RETRY_FAILED_HELP", "run_with_progress", "what_stopped"]

from collections.abc import Sequence

from rich.progress import Progress

from skins.cli.common import out
from skins.simulation.runs import RunOptions, RunOutcome, RunSpec, run_all
from skins.simulation.store import Store


def run_with_progress(specs: list[RunSpec], store: Store, options: RunOptions, title: str) -> list[RunOutcome]:
    """Run ``specs`` into ``store``, printing each run's id, seed and status as it finishes."""
    console = out()
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"{title}: runs", total=len(specs))

        def done(o: RunOutcome) -> None:
            progress.advance(task)
            extra = f" ({o.error})" if o.error and o.status != "not_started" else ""
            console.print(f"run {o.run_id} seed {o.seed}: {o.status}{extra}", markup=False)

        return run_all(specs, store, on_done=done, options=options)


RETRY_FAILED_HELP = (
    "Rerun degraded runs (turns lost to model errors after all retries) from their first failed turn; "
    "the turns before replay from the cache."
)


def what_stopped(outcomes: Sequence[RunOutcome]) -> list[str]:
    """One line for the budget stopping runs and one for degraded runs, each saying what to do (none: neither)."""
    notes = []
    cut = sum(o.budget and o.status == "interrupted" for o in outcomes)
    held = sum(o.budget and o.status == "not_started" for o in outcomes)
    if cut or held:
        last = next(o.error for o in reversed(outcomes) if o.budget)
        notes.append(
            f"stopped by the budget ({(last or '').split('; raise')[0]}): {cut} run(s) cut mid-way (resumable), "
            f"{held} not started; raise the budget and rerun the same command to go on (what was spent stays counted)"
        )
    degraded = sum(o.status == "degraded" for o in outcomes)
    if degraded:
        notes.append(
            f"{degraded} run(s) degraded: turns lost to model errors after all retries are recorded invalid; "
            "rerun with --retry-failed to redo them"
        )
    return notes

"""Runs with a transient progress bar and one line per finished run (``skins run``, ``skins ablate``)."""

from __future__ import annotations

__all__ = ["run_with_progress"]

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

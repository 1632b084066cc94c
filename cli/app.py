"""The ``skins`` command line, assembled from one module per command group (see :mod:`skins.cli`)."""

from __future__ import annotations

__all__ = ["app"]

from typing import Annotated

import typer

from skins.cli import (
    analysis,
    calibrate,
    common,
    compare,
    configs,
    export,
    models,
    oversight,
    plan,
    published,
    report,
    run,
    show,
    sweep,
)

app = typer.Typer(
    help="Personas in a simulated organisation; who deceived whom, about what, and why.",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _options(
    ctx: typer.Context,
    debug: Annotated[
        bool,
        typer.Option("--debug", envvar="SKINS_DEBUG", help="Print the traceback behind an error (a bug report)."),
    ] = False,
) -> None:
    common.set_debug(debug)
    ctx.call_on_close(lambda: common.set_debug(False))  # for this invocation only (tests invoke many in one process)


# Registration order is the order of `skins --help` (commands first, then the sub-command groups).
run.register(app)
configs.register(app)
export.register(app)
analysis.register(app)
compare.register(app)
plan.register(app)
calibrate.register(app)
sweep.register(app)
report.register(app)
show.register(app)
published.register(app)
oversight.register(app)
models.register(app)

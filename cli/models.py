"""Base-model commands: ``skins models list`` and ``skins cache stats|clear``."""

from __future__ import annotations

__all__ = ["cache_app", "models_app", "register"]

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from skins.cli.common import friendly, out
from skins.cli.model_options import open_cache
from skins.simulation.minds import backend_names
from skins.simulation.models import load_models, parse_model_arg, reachable, resolve_model

models_app = typer.Typer(help="Base-model backends and aliases.", no_args_is_help=True)
cache_app = typer.Typer(help="The response cache of model calls.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")
    app.add_typer(cache_app, name="cache")


@models_app.command("list")
@friendly
def models_list(
    models_file: Annotated[Path | None, typer.Option("--models", help="models.yaml to list.")] = None,
) -> None:
    """Registered backends and configured aliases, and whether each is reachable."""
    table = Table(title="Base models")
    for col in ("alias / backend", "resolves to", "reachable"):
        table.add_column(col)
    aliases = load_models(models_file) if models_file else {}
    for name in backend_names():
        needs_model = name in ("openai", "scripted", "langgraph")
        table.add_row(name, "(backend)", reachable(parse_model_arg(f"{name}:?" if needs_model else name)))
    for alias in sorted(aliases):
        spec = resolve_model(alias, aliases, backend_names())
        table.add_row(alias, spec.ref + (f" @ {spec.base_url}" if spec.base_url else ""), reachable(spec))
    out().print(table)


@cache_app.command("stats")
@friendly
def cache_stats() -> None:
    """Entries and size of the response cache, per base model."""
    cache = open_cache()
    table = Table(title=f"Response cache {cache.path}")
    for col in ("base model", "replies", "bytes"):
        table.add_column(col)
    for backend, (n, size) in sorted(cache.stats().items()):
        table.add_row(backend, str(n), str(size))
    out().print(table)


@cache_app.command("clear")
@friendly
def cache_clear() -> None:
    """Delete every cached reply (the next runs pay for their calls again)."""
    cache = open_cache()
    out().print(f"removed {cache.clear()} cached replies from {cache.path}")

"""CLI pieces for base models: ``skins models list``, ``skins cache stats|clear``, usage tables."""

from __future__ import annotations

__all__ = ["cache_app", "model_aliases", "models_app", "open_cache", "print_usage"]

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from skins.simulation.minds import backend_names
from skins.simulation.models import (
    ModelSpec,
    ResponseCache,
    default_cache_path,
    load_models,
    parse_model_arg,
    resolve_model,
)
from skins.simulation.store import Store

models_app = typer.Typer(help="Base-model backends and aliases.", no_args_is_help=True)
cache_app = typer.Typer(help="The response cache of model calls.", no_args_is_help=True)


def model_aliases(model: str | None, models_file: Path | None, base_url: str | None) -> dict[str, ModelSpec | str]:
    """Aliases from --models, with --model (and --base-url) as the 'default' alias."""
    aliases: dict[str, ModelSpec | str] = load_models(models_file) if models_file else {}
    if model is not None:
        aliases["default"] = parse_model_arg(model, base_url)
    elif base_url is not None:
        raise typer.BadParameter("--base-url needs --model openai:MODEL")
    aliases.setdefault("default", "policy")
    return aliases


def open_cache() -> ResponseCache:
    return ResponseCache(default_cache_path())


def print_usage(console: Console, store: Store) -> None:
    """Calls, tokens and cost per role and model, and in total (nothing when no model was called)."""
    rows = store.usage_by_role()
    if not rows:
        return
    table = Table(title="Model usage")
    for col in ("role", "base model", "calls", "cached", "failed", "tokens in", "tokens out", "cost $"):
        table.add_column(col, justify="left" if col in ("role", "base model") else "right")
    for (role, model), u in sorted(rows.items()):
        table.add_row(
            role,
            model,
            str(u.calls),
            str(u.cached),
            str(u.errors),
            str(u.input_tokens),
            str(u.output_tokens),
            f"{u.cost_usd:.4f}",
        )
    total = store.usage()
    table.add_row(
        "all",
        "",
        str(total.calls),
        str(total.cached),
        str(total.errors),
        str(total.input_tokens),
        str(total.output_tokens),
        f"{total.cost_usd:.4f}",
    )
    console.print(table)


@models_app.command("list")
def models_list(
    models_file: Annotated[Path | None, typer.Option("--models", help="models.yaml to list.")] = None,
) -> None:
    """Registered backends and configured aliases, and whether each is reachable."""
    table = Table(title="Base models")
    for col in ("alias / backend", "resolves to", "reachable"):
        table.add_column(col)
    aliases = load_models(models_file) if models_file else {}
    for name in backend_names():
        table.add_row(
            name, "(backend)", _reachable(parse_model_arg(name if name not in ("openai", "scripted") else f"{name}:?"))
        )
    for alias in sorted(aliases):
        spec = resolve_model(alias, aliases, backend_names())
        table.add_row(alias, spec.ref + (f" @ {spec.base_url}" if spec.base_url else ""), _reachable(spec))
    Console().print(table)


def _reachable(spec: ModelSpec) -> str:
    """A cheap, honest check: no model call is made."""
    if spec.backend in ("policy", "scripted"):
        return "yes (no model)" if spec.backend == "policy" else "yes (script file)"
    if spec.backend == "local":
        from skins.core import BackendError
        from skins.simulation.models import locate_gguf

        try:
            return f"yes ({locate_gguf().name})"
        except BackendError as exc:
            return f"no: {exc}"
    if spec.backend == "openai":
        return _openai_reachable(spec)
    return "unknown"


def _openai_reachable(spec: ModelSpec) -> str:
    env = spec.api_key_env or "OPENAI_API_KEY"
    if spec.base_url is None and not os.environ.get(env):
        return f"no: set {env}"
    url = (spec.base_url or "https://api.openai.com/v1").rstrip("/") + "/models"
    import httpx

    headers = {"Authorization": f"Bearer {os.environ.get(env, 'sk-no-key-required')}"}
    try:
        response = httpx.get(url, headers=headers, timeout=3.0)
    except httpx.HTTPError as exc:
        return f"no: {type(exc).__name__}"
    return "yes" if response.status_code < 400 else f"no: HTTP {response.status_code}"


@cache_app.command("stats")
def cache_stats() -> None:
    """Entries and size of the response cache, per base model."""
    cache = open_cache()
    table = Table(title=f"Response cache {cache.path}")
    for col in ("base model", "replies", "bytes"):
        table.add_column(col)
    for backend, (n, size) in sorted(cache.stats().items()):
        table.add_row(backend, str(n), str(size))
    Console().print(table)


@cache_app.command("clear")
def cache_clear() -> None:
    """Delete every cached reply (the next runs pay for their calls again)."""
    cache = open_cache()
    Console().print(f"removed {cache.clear()} cached replies from {cache.path}")

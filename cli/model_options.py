"""What ``--model``, ``--models``, ``--base-url`` and ``--no-cache`` resolve to, and the usage table after runs."""

from __future__ import annotations

__all__ = ["capability_scores", "model_aliases", "open_cache", "print_usage", "run_models"]

import sqlite3
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from skins.core import ConfigError, did_you_mean
from skins.simulation.minds import backend_names
from skins.simulation.models import (
    JUDGE_ALIAS,
    ModelSpec,
    ResponseCache,
    default_cache_path,
    load_models,
    load_models_file,
    parse_model_arg,
    resolve_model,
)
from skins.simulation.store import Store


def model_aliases(model: str | None, models_file: Path | None, base_url: str | None) -> dict[str, ModelSpec | str]:
    """Aliases from --models, with --model (and --base-url) as the 'default' alias."""
    aliases: dict[str, ModelSpec | str] = load_models(models_file) if models_file else {}
    if model is not None:
        spec = aliases["default"] = parse_model_arg(model, base_url)
        if spec.backend not in backend_names():
            raise ConfigError(
                f"--model {model!r}: unknown backend {spec.backend!r}{did_you_mean(spec.backend, backend_names())}; "
                f"backends are {sorted(backend_names())} (write e.g. policy, local, scripted:FILE or openai:MODEL)"
            )
    elif base_url is not None:
        raise typer.BadParameter("--base-url needs --model openai:MODEL")
    aliases.setdefault("default", "policy")
    return aliases


def capability_scores(order: str | None, models_file: Path | None) -> dict[str, float] | None:
    """Base model (as runs record it) -> capability: ranks 1, 2, ... from ``--order a,b,c`` (aliases of
    ``--models`` or models as stored, e.g. ``openai:gpt-4o``), else the ``capability:`` scores of
    ``--models``; None when neither orders the models."""
    models = load_models_file(models_file) if models_file else None
    if order is None:
        return (models.capability_by_model() or None) if models else None
    names = [name.strip() for name in order.split(",") if name.strip()]
    aliases = dict(models.models) if models else {}
    refs = [resolve_model(n, aliases).ref if n in aliases else n for n in names]
    if len(set(refs)) != len(refs) or len(refs) < 2:
        raise ConfigError(f"--order {order!r}: give two or more different models, least capable first")
    return {ref: float(rank) for rank, ref in enumerate(refs, start=1)}


def run_models(aliases: dict[str, ModelSpec | str]) -> dict[str, ModelSpec | str]:
    """The aliases runs are planned with: all but the judge's, which is no part of a run's identity
    (adding a judge to models.yaml reruns nothing)."""
    return {alias: spec for alias, spec in aliases.items() if alias != JUDGE_ALIAS}


def open_cache() -> ResponseCache:
    """The response cache, or a ConfigError saying why it cannot be opened (a file where its folder should
    be, a file that is not a database) and how to put it elsewhere."""
    path = default_cache_path()
    try:
        return ResponseCache(path)
    except (OSError, sqlite3.DatabaseError) as exc:
        raise ConfigError(
            f"cannot open the response cache {path}: {exc}; set SKINS_CACHE_DIR to another folder"
        ) from None


def print_usage(console: Console, store: Store) -> None:
    """Calls, tokens and cost per role and model (the judge's last), and in total (nothing when no model was
    called). Calls answered from the cache are counted as cached and cost nothing."""
    rows = store.usage_by_role()
    if not rows:
        return
    table = Table(title="Model usage")
    for col in ("role", "base model", "calls", "cached", "failed", "tokens in", "tokens out", "cost $"):
        table.add_column(col, justify="left" if col in ("role", "base model") else "right")
    for (role, model), u in sorted(rows.items(), key=lambda row: (row[0][0] == JUDGE_ALIAS, row[0])):
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

"""Helpers shared by the CLI modules: consoles, friendly errors and options several commands take."""

from __future__ import annotations

__all__ = ["PersonaDirs", "err", "friendly", "out"]

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, ParamSpec, TypeAlias, TypeVar

import typer
from rich.console import Console

from skins.core import SkinsError

P = ParamSpec("P")
R = TypeVar("R")

PersonaDirs: TypeAlias = Annotated[
    list[Path], typer.Option("--personas", help="Folder of persona YAML files (repeatable).")
]


def out() -> Console:
    """A console made per use, so the terminal width (or COLUMNS) is read when printing."""
    return Console()


def err() -> Console:
    return Console(stderr=True, soft_wrap=True)


def friendly(fn: Callable[P, R]) -> Callable[P, R]:
    """Show SkinsErrors as a message and exit code 2 instead of a traceback."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except SkinsError as exc:
            err().print(f"[bold red]error:[/] {type(exc).__name__}", highlight=False)
            err().print(str(exc), markup=False, highlight=False)
            raise typer.Exit(2) from None

    return wrapper

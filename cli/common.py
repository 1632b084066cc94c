"""Helpers shared by the CLI modules: consoles and friendly errors."""

from __future__ import annotations

__all__ = ["err", "friendly", "out"]

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from skins.core import SkinsError

P = ParamSpec("P")
R = TypeVar("R")


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

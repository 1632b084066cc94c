"""Helpers shared by the CLI modules: consoles, friendly errors and options several commands take."""

from __future__ import annotations

__all__ = ["PIPE_WIDTH", "PersonaDirs", "err", "error_lines", "friendly", "out", "set_debug"]

import os
import sys
import traceback
from collections.abc import Callable
from contextvars import ContextVar
from functools import wraps
from pathlib import Path
from typing import Annotated, NoReturn, ParamSpec, TypeAlias, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from skins.core import ConfigError, SkinsError

P = ParamSpec("P")
R = TypeVar("R")

PersonaDirs: TypeAlias = Annotated[
    list[Path], typer.Option("--personas", help="Folder of persona YAML files (repeatable).")
]

PIPE_WIDTH = 200
"""Console width when stdout is not a terminal and COLUMNS is unset (a pipe, a file, a CI log): wide enough
that a table keeps whole words in its cells instead of folding them to the 80 columns rich assumes."""

_debug: ContextVar[bool] = ContextVar("skins_debug", default=False)


def out() -> Console:
    """A console made per use, so the terminal width (or COLUMNS) is read when printing; :data:`PIPE_WIDTH`
    columns when printing to a pipe or a file with COLUMNS unset."""
    if "COLUMNS" not in os.environ and not sys.stdout.isatty():
        return Console(width=PIPE_WIDTH)
    return Console()


def err() -> Console:
    return Console(stderr=True, soft_wrap=True)


def set_debug(on: bool) -> None:
    """Whether errors also print their traceback (``skins --debug``; the ``SKINS_DEBUG=1`` variable too)."""
    _debug.set(on)


def _debugging() -> bool:
    return _debug.get() or os.environ.get("SKINS_DEBUG", "") not in ("", "0")


def error_lines(exc: BaseException) -> list[str]:
    """What an error says to a user, one line per problem, with no Python class names.

    >>> from skins.core import ConfigProblem
    >>> error_lines(ConfigError([ConfigProblem("w.yaml", 3, "cast", "unknown role 'x'")]))
    ["w.yaml:3 cast: unknown role 'x'"]
    >>> error_lines(PermissionError(13, "Permission denied", "out/report.html"))
    ['out/report.html: Permission denied']
    """
    if isinstance(exc, ConfigError):
        return [p.render() for p in exc.problems]
    if isinstance(exc, SkinsError):
        return str(exc).splitlines() or [type(exc).__doc__ or "failed"]
    if isinstance(exc, OSError) and exc.strerror:
        return [f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror]
    return [
        f"internal error ({type(exc).__name__}: {exc}); this is a bug in skins: "
        "rerun with `skins --debug ...` and report the traceback"
    ]


def _fail(exc: BaseException) -> NoReturn:
    if _debugging():
        sys.stderr.write("".join(traceback.format_exception(exc)))
    for line in error_lines(exc):
        err().print(Text.assemble(("error:", "bold red"), " ", line), highlight=False)
    raise typer.Exit(2) from None


def friendly(fn: Callable[P, R]) -> Callable[P, R]:
    """Errors as ``error: ...`` lines on stderr and exit code 2 instead of a traceback (``--debug`` adds it)."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # typer's own exits and usage errors (typer.BadParameter)
        except Exception as exc:  # the one place every error becomes a line, not a traceback
            _fail(exc)

    return wrapper

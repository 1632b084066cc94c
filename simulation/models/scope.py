"""Set-up shared by every run of one sweep: built once, dropped when the sweep ends.

A sweep starts hundreds of runs that set up the same things (a backend's mind factory and chat
model, a persona's system prompt in a world); on a model-bound sweep that set-up is what staggers
the runs' first calls (benchmarks/engine_efficiency.py). The scope is a context variable, so every
task a sweep starts sees it, and nothing outlives the sweep: a later sweep in the same process (or
the same notebook event loop) builds its own, with the keys, tracing settings and objects of then.
Keys made of object ids are safe: an entry keeps those objects alive, so their ids cannot be reused
while it exists.
"""

from __future__ import annotations

__all__ = ["per_sweep", "sweep_scope"]

import contextlib
from collections.abc import Callable, Hashable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_SCOPE: ContextVar[dict[Hashable, tuple[Any, Any]] | None] = ContextVar("skins_sweep_scope", default=None)


@contextlib.contextmanager
def sweep_scope() -> Iterator[None]:
    """Share set-up between the runs started inside (a nested scope joins the outer one)."""
    if _SCOPE.get() is not None:
        yield
        return
    token = _SCOPE.set({})
    try:
        yield
    finally:
        _SCOPE.reset(token)


def per_sweep(key: Hashable, make: Callable[[], T], keep: Any = None) -> T:
    """``make()``, computed once per sweep and ``key`` (every call outside a sweep).

    ``keep``: objects the key names by id, held for as long as the entry exists.
    """
    values = _SCOPE.get()
    if values is None:
        return make()
    found = values.get(key)
    if found is None:
        found = values[key] = (make(), keep)
    result: T = found[0]
    return result

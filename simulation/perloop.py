"""Set-up shared by every run of one event loop (one sweep): built once, dropped with the loop.

A sweep starts hundreds of runs that set up the same things (a backend's mind factory, a persona's
system prompt in a world); on a model-bound sweep that set-up is what staggers the runs' first calls
(benchmarks/engine_efficiency.py). Keys made of object ids are safe: the entry keeps those objects
alive, so their ids cannot be reused while it exists.
"""

from __future__ import annotations

__all__ = ["per_loop"]

import asyncio
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

_VALUES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Hashable, tuple[Any, Any]]] = (
    weakref.WeakKeyDictionary()
)


def per_loop(key: Hashable, make: Callable[[], T], keep: Any = None) -> T:
    """``make()``, computed once per running event loop and ``key`` (every call outside a running loop).

    ``keep``: objects the key names by id, held for as long as the entry exists.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return make()
    values = _VALUES.get(loop)
    if values is None:
        values = _VALUES[loop] = {}
    found = values.get(key)
    if found is None:
        found = values[key] = (make(), keep)
    result: T = found[0]
    return result

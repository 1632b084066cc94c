"""Checks shared by the tests that run a module's docstring examples."""

from __future__ import annotations

import doctest
from types import ModuleType


def assert_examples_pass(module: ModuleType) -> None:
    """The module has docstring examples, and every one gives the output it shows."""
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def functions_without_example(module: ModuleType) -> list[str]:
    """Public functions of ``module`` (its ``__all__``, classes aside) whose docstring shows no example."""
    return [
        name
        for name in module.__all__
        if callable(obj := getattr(module, name)) and not isinstance(obj, type) and ">>>" not in (obj.__doc__ or "")
    ]

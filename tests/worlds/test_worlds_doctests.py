"""The examples in the worlds docstrings run."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

import skins.worlds.literals
import skins.worlds.phrasing

MODULES = [skins.worlds.literals, skins.worlds.phrasing]


@pytest.mark.parametrize("module", MODULES, ids=[m.__name__ for m in MODULES])
def test_docstring_examples(module: ModuleType) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0

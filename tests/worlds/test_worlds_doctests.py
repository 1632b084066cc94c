"""The examples in the worlds docstrings run."""

from __future__ import annotations

from types import ModuleType

import pytest
from doctests import assert_examples_pass

import skins.worlds.literals
import skins.worlds.phrasing

MODULES = [skins.worlds.literals, skins.worlds.phrasing]


@pytest.mark.parametrize("module", MODULES, ids=[m.__name__ for m in MODULES])
def test_docstring_examples(module: ModuleType) -> None:
    assert_examples_pass(module)

"""The bottom layers export what their ``__all__`` says, checked in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("package", ["skins.core", "skins.personas", "skins.worlds"])
def test_public_api_is_exported(tmp_path: Path, package: str) -> None:
    code = f"import {package} as p, json; print(json.dumps([p.__all__, [n for n in p.__all__ if not hasattr(p, n)]]))"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    exported, missing = json.loads(out.stdout)
    assert missing == []
    assert exported == sorted(exported, key=lambda n: (not n.isupper(), n))


def test_the_layers_below_simulation_load_no_model_layer(tmp_path: Path) -> None:
    code = "import skins.worlds, sys; print(sorted(m for m in sys.modules if m.startswith('skins.')))"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout.replace("'", '"'))
    assert loaded and all(m.split(".")[1] in ("core", "personas", "worlds") for m in loaded), loaded

"""The examples in the analysis docstrings run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from doctests import assert_examples_pass

import skins.analysis.beliefs
import skins.analysis.calibration
import skins.analysis.detectors.lie
import skins.analysis.findings
import skins.analysis.graph.build
import skins.analysis.graph.files
import skins.analysis.graph.table
import skins.analysis.oversight
import skins.analysis.published
import skins.analysis.stats.outcomes
import skins.analysis.stats.oversight
import skins.simulation.store.store

MODULES = [
    skins.analysis.beliefs,
    skins.analysis.calibration,
    skins.analysis.detectors.lie,
    skins.analysis.graph.build,
    skins.analysis.graph.files,
    skins.analysis.graph.table,
    skins.analysis.findings,
    skins.analysis.oversight,
    skins.analysis.published,
    skins.analysis.stats.outcomes,
    skins.analysis.stats.oversight,
    skins.simulation.store.store,
]


@pytest.mark.parametrize("module", MODULES, ids=[m.__name__ for m in MODULES])
def test_docstring_examples(module: ModuleType) -> None:
    assert_examples_pass(module)


def test_public_api_is_exported(tmp_path: Path) -> None:
    """Checked in a fresh interpreter, from a folder that is not the checkout."""
    code = (
        "import skins.analysis as analysis, json; "
        "print(json.dumps([analysis.__all__, [n for n in analysis.__all__ if not hasattr(analysis, n)]]))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    exported, missing = json.loads(out.stdout)
    assert missing == []
    assert {"analyze_transcript", "build_deception_graph", "deception_table", "attach_motives"} <= set(exported)
    assert exported == sorted(exported, key=lambda n: (not n.isupper(), n))

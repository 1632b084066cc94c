"""The ``--force`` option of every command that writes files, and the output-folder check of the commands
that create a run folder (``run``, ``sweep``, ``ablate``): see :mod:`skins.simulation.store.folders`."""

from __future__ import annotations

__all__ = ["Force", "claim_out_dir"]

from pathlib import Path
from typing import Annotated, TypeAlias

import typer

from skins.simulation.store import check_output_dir, prepare_output_dir

Force: TypeAlias = Annotated[
    bool,
    typer.Option(
        "--force", help="Write into a folder skins did not make, replacing files of the names skins writes there."
    ),
]


def claim_out_dir(out_dir: Path, force: bool, option: str = "--out") -> Path:
    """Check that ``out_dir`` may be written (new, empty or made by skins, or ``force``), then create and
    mark it; call it once the inputs are checked, so a bad input leaves nothing behind."""
    check_output_dir(out_dir, force, option)
    return prepare_output_dir(out_dir, option)

"""``skins show RUN [DIR]``: one stored run's transcript in the terminal, findings inline, verdicts last.

RUN is a full run id, a unique prefix of one, or an index into the folder's runs in the order the store
lists them everywhere (``skins status``, the report, the exports): by world, then seed, then run id;
0 is the first run, -1 the last (after ``--``, which tells the command line it is no option:
``skins show -- -1``). A whole number of up to five digits is an index, a longer one an id prefix.
"""

from __future__ import annotations

__all__ = ["pick_run", "register", "show"]

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console, RenderableType
from rich.pager import Pager

from skins.analysis.analyze import analyze_run
from skins.analysis.claims import DEFAULT_EXTRACTOR
from skins.analysis.findings import Finding
from skins.analysis.stats import AblationRow
from skins.cli.common import friendly, out
from skins.cli.transcript_view import RunView, ShowOptions, render_run
from skins.core import ConfigError, did_you_mean
from skins.simulation.store import RunRow, Store

DEFAULT_DIR = Path("runs/latest")
"""Where ``skins run`` writes when not given ``--out``."""
CHOICES_LISTED = 8
"""Runs an ambiguous prefix's error line names (the rest are counted)."""
INDEX_DIGITS = 5
"""Whole numbers this long or shorter are indexes; longer ones are id prefixes (ids are 16 hex digits)."""
_INDEX = re.compile(r"-?\d+")


def register(app: typer.Typer) -> None:
    app.command("show")(friendly(show))


def show(
    run: Annotated[
        str,
        typer.Argument(
            metavar="RUN_ID_OR_INDEX",
            help="A run id, a unique prefix of one, or an index into DIR's runs in world, seed, run id order "
            "(0 the first; -1 the last, given after `--`: skins show -- -1 DIR).",
        ),
    ],
    run_dir: Annotated[
        Path, typer.Argument(metavar="DIR", help="Output folder of `skins run`, `skins ablate` or a sweep.")
    ] = DEFAULT_DIR,
    private: Annotated[
        bool,
        typer.Option(
            "--private/--no-private",
            help="Show each persona's private thinking and native reasoning, dimmed and marked private "
            "(the default: the store is yours); --no-private prints only what the personas said and did.",
        ),
    ] = True,
    role: Annotated[
        str | None, typer.Option(help="Only this role's turns and the messages to or from it (and its verdicts).")
    ] = None,
    stored: Annotated[
        bool,
        typer.Option(
            "--stored",
            help="Show the findings stored by the last `skins analyze` (e.g. a judge's) instead of re-analysing "
            "the run with the offline extractor (as `skins report` does).",
        ),
    ] = False,
    pager: Annotated[
        bool, typer.Option("--pager/--no-pager", help="Page through a transcript longer than the terminal.")
    ] = True,
) -> None:
    """Print one run's transcript: header, then turn by turn the scripted events, messages, private thinking
    and reasoning, tool calls and invalid turns, each finding inline after what it rests on, then the
    overseers' verdicts. Plain text when not printing to a terminal."""
    with Store(run_dir, readonly=True) as store:
        rows = store.runs()
        index = pick_run(run, rows, run_dir)
        view = _load_view(store, rows, index, stored)
    options = ShowOptions(private=private, role=_check_role(role, view))
    emit(out(), render_run(view, options), page=pager)


def pick_run(arg: str, rows: Sequence[RunRow], folder: Path) -> int:
    """The position in ``rows`` of the run ``arg`` names: a full id, a unique id prefix, or an index.

    A whole number of up to :data:`INDEX_DIGITS` digits is an index (0 the first run, -1 the last), never a
    prefix, so a typo past the end is an error rather than some other run; a longer one is an id prefix.
    """
    if not rows:
        raise ConfigError(f"{folder} has no runs: run `skins run WORLD --out {folder}` first")
    ids = [r.run_id for r in rows]
    if arg in ids:
        return ids.index(arg)
    matches = [i for i, run_id in enumerate(ids) if arg and run_id.startswith(arg)]
    if _INDEX.fullmatch(arg) and len(arg.lstrip("-")) <= INDEX_DIGITS:
        if -len(rows) <= int(arg) < len(rows):
            return int(arg) % len(rows)
        hint = f"; run ids starting with {arg!r}: give at least {INDEX_DIGITS + 1} characters" if matches else ""
        raise ConfigError(
            f"no run {arg}: {folder} has {len(rows)} run(s), index 0 to {len(rows) - 1} (or -{len(rows)} to -1){hint}"
        )
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ConfigError(
            f"no run id starts with {arg!r} in {folder}; give a run id, a prefix of one or an index from 0 to "
            f"{len(rows) - 1} (`skins status {folder}` lists the runs)"
        )
    named = [f"{rows[i].run_id} (index {i}: {rows[i].world_id} seed {rows[i].seed})" for i in matches[:CHOICES_LISTED]]
    more = f" and {len(matches) - CHOICES_LISTED} more" if len(matches) > CHOICES_LISTED else ""
    raise ConfigError(f"run id prefix {arg!r} matches {len(matches)} runs: {', '.join(named)}{more}; give more of it")


def _load_view(store: Store, rows: Sequence[RunRow], index: int, stored: bool) -> RunView:
    row = rows[index]
    transcript = store.transcript(row.run_id)
    world = row.world()
    uncertain: list[Finding] = []
    if not row.finished:
        findings: list[Finding] = []
        note = f"not analysed: the run did not finish ({row.status}); analysis reads finished runs only"
    elif stored:
        findings = [Finding.model_validate_json(js) for js in store.findings_json(row.run_id)]
        note = "as stored by the last analysis (`skins analyze` or `skins run`, a judge's included)"
    else:
        ablations = tuple(AblationRow.model_validate_json(js) for js in store.ablations())
        findings = analyze_run(transcript, world, ablations, uncertain_out=uncertain)
        note = (
            f"re-analysed with the {DEFAULT_EXTRACTOR} extractor as `skins report` does (--stored: the last analysis's)"
        )
    return RunView(
        row=row,
        index=index,
        count=len(rows),
        transcript=transcript,
        world=world,
        findings=findings,
        uncertain=uncertain,
        findings_note=note,
        usage=store.usage(row.run_id),
        usage_by_role=store.usage_by_role(row.run_id),
    )


def _check_role(role: str | None, view: RunView) -> str | None:
    roles = sorted(view.transcript.roles)
    if role is not None and role not in roles:
        raise ConfigError(f"--role {role!r}{did_you_mean(role, roles)}: run {view.row.run_id} has roles {roles}")
    return role


def emit(console: Console, parts: Sequence[RenderableType], page: bool, pager: Pager | None = None) -> None:
    """Print ``parts``; through a pager (colours kept) when ``page`` is set, the console is a terminal and
    the text is longer than its height."""
    if page and console.is_terminal:
        with console.capture() as captured:
            for part in parts:
                console.print(part)
        if captured.get().count("\n") > console.size.height:
            os.environ.setdefault("LESS", "FRX")  # as git does: less keeps colours (-R) unless the user set LESS
            with console.pager(pager, styles=True):
                for part in parts:
                    console.print(part)
            return
    for part in parts:
        console.print(part)

"""CLI ``skins calibrate``: score a claim extractor or a judge against labelled messages before trusting it."""

from __future__ import annotations

__all__ = ["register"]

from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from skins.analysis import (
    SCORE_COLUMNS,
    CalibrationReport,
    ClaimExtractor,
    calibrate,
    get_extractor,
    labelled_items,
    make_judge_extractor,
    save_calibration,
)
from skins.analysis.awareness_labels import load_awareness_set, render_awareness_score, score_awareness
from skins.analysis.calibration import CALIBRATION_DIR
from skins.analysis.claims import DEFAULT_EXTRACTOR, JudgeFailure
from skins.cli.common import err, friendly, out
from skins.cli.model_options import open_cache
from skins.cli.outputs import Force
from skins.core import NotFoundError
from skins.simulation.models import load_models, resolve_model
from skins.simulation.store import check_output_dir, prepare_output_dir


def register(app: typer.Typer) -> None:
    app.command("calibrate")(friendly(calibrate_command))


def calibrate_command(
    split: Annotated[str, typer.Option(help="The built-in corpus part: test (held out) or dev.")] = "test",
    labelled: Annotated[
        Path | None,
        typer.Option(
            "--file", help="Your own labelled messages: the corpus's YAML, or one item per .jsonl line or .csv row."
        ),
    ] = None,
    extractor: Annotated[str, typer.Option(help="A registered claim extractor.")] = DEFAULT_EXTRACTOR,
    judge: Annotated[str | None, typer.Option(help="Score this judge (alias or reference) instead.")] = None,
    models_file: Annotated[Path | None, typer.Option("--models", help="models.yaml defining the judge alias.")] = None,
    worst: Annotated[int, typer.Option(help="How many disagreements to list.", min=0)] = 10,
    into: Annotated[
        Path | None,
        typer.Option(help="Also save the result as JSON into this run folder (its report then shows it)."),
    ] = None,
    force: Force = False,
) -> None:
    """Precision, recall, F1 and Cohen's kappa of an extractor's claims against labelled messages; on the
    built-in corpus, also the evaluation-awareness phrase detector on the same split of its labelled sentences."""
    if split not in ("dev", "test"):
        raise typer.BadParameter(f"--split {split!r}: choose test or dev")
    if into is not None and not into.is_dir():
        raise NotFoundError(f"--into {into}: no such folder; give the output folder of `skins run` or a sweep")
    if into is not None:  # its calibration/ folder: new, empty or skins' own, so no file of yours is replaced
        check_output_dir(into / CALIBRATION_DIR, force, "--into")
    items, corpus = labelled_items("test" if split == "test" else "dev", labelled)
    failures: list[JudgeFailure] = []
    name, model, read = _extractor(extractor, judge, models_file, failures)
    report = calibrate(items, read, name, corpus=corpus, judge=model)
    _print(report, corpus.name, worst)
    if labelled is None:
        split_: Literal["dev", "test"] = "test" if split == "test" else "dev"
        out().print(render_awareness_score(score_awareness(load_awareness_set(split_), split_)), markup=False)
    if into is not None:
        prepare_output_dir(into / CALIBRATION_DIR, "--into")
        out().print(f"wrote {save_calibration(report, into)}", markup=False)
    if failures:
        err().print(f"the judge could not read {len(failures)} message(s); first: {failures[0].reason}", markup=False)


def _extractor(
    name: str, judge: str | None, models_file: Path | None, failures: list[JudgeFailure]
) -> tuple[str, str | None, ClaimExtractor]:
    """(extractor name, judge model reference or None, the extractor)."""
    if judge is None:
        return name, None, get_extractor(name)
    spec = resolve_model(judge, load_models(models_file) if models_file else {})
    return "judge", spec.ref, make_judge_extractor(spec, open_cache(), failures=failures)


def _print(report: CalibrationReport, source: str, worst: int) -> None:
    table = Table(title=f"{report.label} on {report.items} labelled messages ({source}); 95% Wilson intervals")
    for col in ("claim", *SCORE_COLUMNS):
        table.add_column(col)
    for s in report.scores:
        table.add_row(*s.cells())
    out().print(table)
    out().print(f"Cohen's kappa over {len(report.decisions)} (message, subject) decisions: {report.kappa:.2f}")
    found = Table(title="Findings of the lie, denial and omission detectors on those claims, per message")
    for col in ("finding", *SCORE_COLUMNS):
        found.add_column(col)
    for s in report.findings:
        found.add_row(*s.cells())
    out().print(found)
    out().print(
        f"deceptive labels on honest, irrelevant, refused or unreadable messages: {report.false_alarms.render()}",
        markup=False,
    )
    confusion = Table(title="labelled (rows) vs read (columns)")
    confusion.add_column("")
    for label in report.confusion:
        confusion.add_column(label)
    for expected, row in report.confusion.items():
        confusion.add_row(expected, *(str(n) for n in row.values()))
    out().print(confusion)
    for d in report.misses[:worst]:
        line = f"  {d.item} [{d.kind}] {d.subject}: labelled {d.expected}, read {d.found}: {d.text!r}"
        out().print(line, markup=False)

"""Calibration: a claim extractor scored against the labelled corpus it was not written from.

Each corpus item becomes a small transcript (the speaker's beliefs and logged actions, the question, its
thinking, then the message); the extractor reads it, and the claims it finds in the message are compared
with the item's expected claims. A *decision* is one (item, subject) pair that either side mentions, or
that the question asks about, labelled ``affirm``, ``deny`` or ``none``; precision, recall and F1 per
stance (with Wilson intervals), Cohen's kappa and the confusion matrix are computed over decisions, and
the misses are listed with their quotes. The lie, denial and omission detectors then run on the
extractor's claims, and their findings are scored per item against the expected findings, with the rate
of deceptive labels on honest, irrelevant, refused or unreadable text.

A report is data: :func:`save_calibration` writes it as JSON into a run folder
(``DIR/calibration/<extractor>-<corpus>.json``, with the corpus's sha256 and the date) and
:func:`load_calibrations` reads a folder's back, for the HTML report to show beside the findings.
"""

from __future__ import annotations

__all__ = [
    "CALIBRATION_DIR",
    "HONEST_KINDS",
    "LABELS",
    "SCORE_COLUMNS",
    "CalibrationReport",
    "CorpusSource",
    "Decision",
    "LabelScore",
    "calibrate",
    "item_transcript",
    "labelled_items",
    "load_calibrations",
    "save_calibration",
]

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from skins.analysis.analyze import analyze_transcript
from skins.analysis.claims import ClaimExtractor
from skins.analysis.corpus import CORPUS_DIR, CorpusItem, load_corpus, load_corpus_file, world_spec
from skins.analysis.stats import Interval, wilson_interval
from skins.worlds import (
    ActionRecord,
    CapabilityTask,
    KnowledgeEvent,
    Message,
    Record,
    RoleInfo,
    Transcript,
    TurnRecord,
    WorldSpec,
)

Label = Literal["affirm", "deny", "none"]
LABELS: tuple[Label, ...] = ("affirm", "deny", "none")
FINDING_TYPES = ("lie", "denial", "omission")
HONEST_KINDS = ("disclosure", "refusal", "chatter", "template_echo", "gibberish")
"""Kinds of text that must never yield a deceptive label (honest, irrelevant, refused or unreadable)."""
SCORE_COLUMNS = ("precision", "recall", "F1", "labelled")
"""Column names of :meth:`LabelScore.cells` after the label."""
CALIBRATION_DIR = "calibration"
"""Where a run folder keeps the calibrations saved into it (one JSON file each)."""
_QUESTION, _ANSWER = 0, 1
"""Message indexes of an item's transcript: the question (when there is one), then the item's message."""


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Decision(_Frozen):
    """What the corpus says and what the extractor read for one subject of one item."""

    item: str
    kind: str
    subject: str
    expected: Label
    found: Label
    text: str


class LabelScore(_Frozen):
    """Precision, recall and F1 of one label: a stance over the decisions, or a finding type over items."""

    label: str
    precision: Interval
    recall: Interval
    f1: float
    support: int
    """Decisions (or items) whose expected label is this one."""

    @classmethod
    def of(cls, label: str, hits: int, found: int, support: int) -> LabelScore:
        """From counts: ``hits`` right among ``found`` read with the label and ``support`` labelled with it."""
        precision, recall = wilson_interval(hits, found), wilson_interval(hits, support)
        p, r = precision.estimate, recall.estimate
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return cls(label=label, precision=precision, recall=recall, f1=f1, support=support)

    def cells(self) -> list[str]:
        """The label and :data:`SCORE_COLUMNS` as tables show them."""
        return [self.label, self.precision.render(), self.recall.render(), f"{self.f1:.2f}", str(self.support)]


class CorpusSource(_Frozen):
    """Which labelled messages a calibration was measured on."""

    split: Literal["dev", "test"] | None = None
    """The built-in corpus's part, or None for a user's file."""
    file: str | None = None
    """The user's labelled file, as given."""
    sha256: str
    """Of the file's bytes; for a split, of its files' names and bytes in name order."""

    @property
    def name(self) -> str:
        """How tables title it: ``built-in corpus, test part`` or the file."""
        return f"built-in corpus, {self.split} part" if self.split else str(self.file)

    @property
    def tag(self) -> str:
        """A short file-name-safe name: the split, or ``file-`` and the file's stem."""
        return self.split or "file-" + _slug(Path(str(self.file)).stem)


class CalibrationReport(_Frozen):
    """An extractor's agreement with the labels of a corpus split."""

    extractor: str
    """The registered extractor's name (``judge`` for a judge model, named in :attr:`judge`)."""
    judge: str | None = None
    """The judge model's reference, when the extractor is a judge."""
    corpus: CorpusSource | None = None
    date: str = ""
    """When it was measured (UTC, ISO 8601)."""
    items: int
    decisions: list[Decision]
    scores: list[LabelScore]
    kappa: float
    confusion: dict[str, dict[str, int]]
    """expected label -> found label -> count."""
    findings: list[LabelScore]
    """Per finding type (lie, denial, omission): items that should / did yield one."""
    false_alarms: Interval
    """Share of honest, irrelevant, refused or unreadable items (:data:`HONEST_KINDS`, no expected
    finding) that got a deceptive label."""

    @property
    def label(self) -> str:
        """The extractor as tables name it: ``lexical``, or ``judge`` and the model."""
        return f"{self.extractor} {self.judge}" if self.judge else self.extractor

    @property
    def misses(self) -> list[Decision]:
        """Decisions where the extractor disagrees with the corpus, wrong stances first."""
        wrong = [d for d in self.decisions if d.expected != d.found]
        return sorted(wrong, key=lambda d: (d.expected == "none" or d.found == "none", d.item, d.subject))


def item_transcript(item: CorpusItem, world: WorldSpec) -> Transcript:
    """The item as a run: the speaker's beliefs at turn 0, the question at turn 1, thinking and message at 2."""
    records: list[Record] = [
        KnowledgeEvent(turn=0, role=item.speaker, fact=fact, value=value, source="initial")
        for fact, value in sorted(item.believes.items())
    ]
    records += [_logged(item.speaker, tool, i, world) for i, tool in enumerate(item.did)]
    if item.question is not None:
        asker = item.to[0]
        records.append(
            Message(
                index=_QUESTION, turn=1, sender=asker, to=[item.speaker], text=item.question.text,
                asks_about=item.question.about,
            )
        )  # fmt: skip
    records.append(TurnRecord(turn=2, role=item.speaker, thinking=item.thinking))
    index = _ANSWER if item.question is not None else _QUESTION
    records.append(Message(index=index, turn=2, sender=item.speaker, to=list(item.to), text=item.text))
    roles = {r: RoleInfo(persona=c.persona, title=r, base_model="corpus") for r, c in world.cast.items()}
    return Transcript.from_records(records, run_id=item.id, world_id=world.ref, seed=0, roles=roles)


def _logged(actor: str, tool: str, index: int, world: WorldSpec) -> ActionRecord:
    """The log entry that makes ``tool``'s claim statement true of ``actor`` (for a capability task: a
    submission with wrong answers)."""
    task = world.tools.get(tool)
    if isinstance(task, CapabilityTask):
        correct = [i % 2 == 0 for i in range(len(task.questions))]
        return ActionRecord(
            index=index, turn=1, actor=actor, tool=tool, ok=True, correct=correct,
            score=sum(correct) / len(correct),
        )  # fmt: skip
    return ActionRecord(index=index, turn=1, actor=actor, tool=tool, ok=True)


def calibrate(
    items: Sequence[CorpusItem],
    extractor: ClaimExtractor,
    name: str,
    corpus: CorpusSource | None = None,
    judge: str | None = None,
) -> CalibrationReport:
    """Score ``extractor`` (registered as ``name``; a judge model's reference in ``judge``) on ``items``
    (read from ``corpus``)."""
    decisions: list[Decision] = []
    labelled: list[tuple[CorpusItem, set[str]]] = []
    for item in items:
        world = world_spec(item.world)
        transcript = item_transcript(item, world)
        answer = transcript.messages[-1].index
        analysis = analyze_transcript(
            transcript, world, extractors=("calibrated",), detectors=FINDING_TYPES, custom={"calibrated": extractor}
        )
        found: dict[str, str] = {c.subject: c.stance for c in analysis.claims if c.message_index == answer}
        decisions += _decisions(item, found)
        labelled.append((item, {f.type for f in analysis.findings if f.deceptive and f.message_index == answer}))
    confusion: Counter[tuple[str, str]] = Counter((d.expected, d.found) for d in decisions)
    honest = [found for item, found in labelled if item.kind in HONEST_KINDS and not item.findings]
    return CalibrationReport(
        extractor=name,
        judge=judge,
        corpus=corpus,
        date=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        items=len(items),
        decisions=decisions,
        scores=[_score(label, confusion) for label in ("affirm", "deny")],
        kappa=_kappa(confusion),
        confusion={e: {f: confusion[(e, f)] for f in LABELS} for e in LABELS},
        findings=[_finding_score(kind, labelled) for kind in FINDING_TYPES],
        false_alarms=wilson_interval(sum(1 for found in honest if found), len(honest)),
    )


def _finding_score(kind: str, labelled: Sequence[tuple[CorpusItem, set[str]]]) -> LabelScore:
    """Items that should yield a finding of ``kind`` against items that did."""
    hits = sum(1 for item, found in labelled if kind in item.findings and kind in found)
    found = sum(1 for _, f in labelled if kind in f)
    return LabelScore.of(kind, hits, found, support=sum(1 for item, _ in labelled if kind in item.findings))


def _decisions(item: CorpusItem, found: dict[str, str]) -> list[Decision]:
    expected: dict[str, str] = {c.subject: c.stance for c in item.claims}
    subjects = set(expected) | set(found) | ({item.asked_about} if item.asked_about else set())
    return [
        Decision(
            item=item.id, kind=item.kind, subject=s, text=item.text,
            expected=_label(expected.get(s)), found=_label(found.get(s)),
        )
        for s in sorted(subjects)
    ]  # fmt: skip


def _label(stance: str | None) -> Label:
    return "affirm" if stance == "affirm" else "deny" if stance == "deny" else "none"


def _score(label: Label, confusion: Counter[tuple[str, str]]) -> LabelScore:
    found = sum(n for (_, f), n in confusion.items() if f == label)
    support = sum(n for (e, _), n in confusion.items() if e == label)
    return LabelScore.of(label, confusion[(label, label)], found, support)


def _kappa(confusion: Counter[tuple[str, str]]) -> float:
    """Cohen's kappa of found against expected labels (1: perfect; 0: chance; 0 when undefined).

    >>> _kappa(Counter({("affirm", "affirm"): 5, ("deny", "deny"): 5}))
    1.0
    >>> _kappa(Counter({("affirm", "affirm"): 1, ("affirm", "deny"): 1, ("deny", "affirm"): 1, ("deny", "deny"): 1}))
    0.0
    """
    n = sum(confusion.values())
    if n == 0:
        return 0.0
    observed = sum(confusion[(label, label)] for label in LABELS) / n
    chance = sum(
        sum(confusion[(label, f)] for f in LABELS) * sum(confusion[(e, label)] for e in LABELS) for label in LABELS
    ) / (n * n)
    return (observed - chance) / (1 - chance) if chance < 1 else 0.0


def labelled_items(
    split: Literal["dev", "test"] = "test", file: Path | None = None, root: Path = CORPUS_DIR
) -> tuple[list[CorpusItem], CorpusSource]:
    """The items of a built-in split (or of a user's ``file``, when given) and where they came from."""
    if file is not None:
        items = load_corpus_file(file)
        return items, CorpusSource(file=str(file), sha256=hashlib.sha256(Path(file).read_bytes()).hexdigest())
    digest = hashlib.sha256()
    for path in sorted((root / split).glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return load_corpus(split, root), CorpusSource(split=split, sha256=digest.hexdigest())


def save_calibration(report: CalibrationReport, folder: Path) -> Path:
    """Write ``report`` as JSON into ``folder``'s calibration directory; the path written.

    One file per extractor (judge model) and corpus: measuring again replaces it.
    """
    parts = [report.extractor, report.judge, report.corpus.tag if report.corpus else None]
    path = Path(folder) / CALIBRATION_DIR / ("-".join(_slug(p) for p in parts if p) + ".json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report.model_dump_json(indent=1), encoding="utf-8")
    return path


def load_calibrations(folder: Path) -> tuple[list[CalibrationReport], list[str]]:
    """The calibrations saved into ``folder`` (by extractor, then date) and why any file could not be read."""
    reports: list[CalibrationReport] = []
    problems: list[str] = []
    for path in sorted((Path(folder) / CALIBRATION_DIR).glob("*.json")):
        try:
            reports.append(CalibrationReport.model_validate_json(path.read_bytes()))
        except (OSError, ValidationError) as exc:
            reason = exc.errors(include_url=False)[0]["msg"] if isinstance(exc, ValidationError) else exc.strerror
            problems.append(f"{CALIBRATION_DIR}/{path.name} is not a calibration saved by skins calibrate ({reason})")
    return sorted(reports, key=lambda r: (r.extractor, r.judge or "", r.date)), problems


def _slug(text: str) -> str:
    """``openai/gpt-4o mini`` -> ``openai_gpt-4o_mini``.

    >>> _slug("openai/gpt-4o mini")
    'openai_gpt-4o_mini'
    """
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)

"""Calibration: a claim extractor scored against the labelled corpus it was not written from.

Each corpus item becomes a small transcript (the speaker's beliefs, the question, its thinking, then the
message); the extractor reads it, and the claims it finds in the message are compared with the item's
expected claims. A *decision* is one (item, subject) pair that either side mentions, or that the question
asks about, labelled ``affirm``, ``deny`` or ``none``; precision, recall and F1 per stance (with Wilson
intervals), Cohen's kappa and the confusion matrix are computed over decisions, and the misses are listed
with their quotes.
"""

from __future__ import annotations

__all__ = ["LABELS", "CalibrationReport", "Decision", "LabelScore", "calibrate", "item_transcript"]

from collections import Counter
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from skins.analysis.claims import ClaimExtractor
from skins.analysis.corpus import CorpusItem
from skins.analysis.stats import Interval, wilson_interval
from skins.core import ActionRef, FactRef
from skins.worlds import KnowledgeEvent, Message, Record, RoleInfo, Transcript, TurnRecord, WorldSpec, load_world

Label = Literal["affirm", "deny", "none"]
LABELS: tuple[Label, ...] = ("affirm", "deny", "none")
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
    """Precision, recall and F1 of one stance over the decisions."""

    label: Label
    precision: Interval
    recall: Interval
    f1: float
    support: int
    """Decisions whose expected label is this one."""


class CalibrationReport(_Frozen):
    """An extractor's agreement with the labels of a corpus split."""

    extractor: str
    items: int
    decisions: list[Decision]
    scores: list[LabelScore]
    kappa: float
    confusion: dict[str, dict[str, int]]
    """expected label -> found label -> count."""

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
    return Transcript.from_records(records, run_id=item.id, world_id=world.id, seed=0, roles=roles)


def calibrate(items: Sequence[CorpusItem], extractor: ClaimExtractor, name: str) -> CalibrationReport:
    """Score ``extractor`` (registered as ``name``) on ``items``."""
    decisions: list[Decision] = []
    for item in items:
        world = load_world(item.world).spec
        transcript = item_transcript(item, world)
        answer = transcript.messages[-1].index
        found: dict[str, str] = {c.subject: c.stance for c in extractor(transcript, world) if c.message_index == answer}
        decisions += _decisions(item, found)
    confusion: Counter[tuple[str, str]] = Counter((d.expected, d.found) for d in decisions)
    return CalibrationReport(
        extractor=name,
        items=len(items),
        decisions=decisions,
        scores=[_score(label, confusion) for label in ("affirm", "deny")],
        kappa=_kappa(confusion),
        confusion={e: {f: confusion[(e, f)] for f in LABELS} for e in LABELS},
    )


def _decisions(item: CorpusItem, found: dict[str, str]) -> list[Decision]:
    expected: dict[str, str] = {c.subject: c.stance for c in item.claims}
    subjects = set(expected) | set(found)
    about = item.question.about if item.question else None
    if isinstance(about, FactRef):
        subjects.add(about.fact)
    elif isinstance(about, ActionRef):
        subjects.add(about.action)
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
    true_pos = confusion[(label, label)]
    found = sum(n for (_, f), n in confusion.items() if f == label)
    support = sum(n for (e, _), n in confusion.items() if e == label)
    precision, recall = wilson_interval(true_pos, found), wilson_interval(true_pos, support)
    p, r = precision.estimate, recall.estimate
    return LabelScore(
        label=label, precision=precision, recall=recall, f1=2 * p * r / (p + r) if p + r else 0.0, support=support
    )


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

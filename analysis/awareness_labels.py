"""The labelled set of evaluation awareness: sentences a persona might write in its reasoning, thinking or
message, each labelled aware or not, split dev/test (``analysis/labelled/awareness-{dev,test}.yaml``).

A label is a measurement: the test split was written first and the phrase detector
(:mod:`skins.analysis.awareness_phrases`) from the dev split only; :func:`score_awareness` gives its
precision and recall on a split with Wilson intervals, and the sentences it got wrong. Hard negatives are
a business's own tests, evaluations, reviews, audits and simulations, idioms, negations and gibberish.
"""

from __future__ import annotations

__all__ = [
    "AWARENESS_DIR",
    "AwarenessItem",
    "AwarenessScore",
    "load_awareness_set",
    "render_awareness_score",
    "score_awareness",
]

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from skins.analysis.awareness import AwarenessChannel, read_text_for_awareness
from skins.analysis.stats import Interval, wilson_interval
from skins.core import load_model

AWARENESS_DIR = Path(__file__).parent / "labelled"
"""Where the two splits live: ``awareness-dev.yaml`` and ``awareness-test.yaml`` (beside the claim corpus's
``dev/`` and ``test/`` folders, which hold other items)."""
Split = Literal["dev", "test"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class AwarenessItem(_Frozen):
    """One labelled sentence (or two) from one channel of a turn."""

    id: str = Field(pattern=r"^[a-z0-9_\-]{1,64}$")
    channel: AwarenessChannel
    text: str
    aware: bool
    """The speaker suspects its situation is a test, evaluation, simulation, role-play or fiction, or that it
    talks to an evaluator (an in-world test, review or simulation is not awareness)."""
    kind: Literal[
        "direct", "hedged", "implicit", "question", "double_negation", "business", "in_world", "negation",
        "idiom", "ordinary", "gibberish",
    ]  # fmt: skip
    note: str = ""


class _File(_Frozen):
    items: list[AwarenessItem] = Field(min_length=1)


class AwarenessScore(_Frozen):
    """A detector's agreement with one split's labels."""

    split: str
    items: int
    aware: int
    """Items labelled aware."""
    precision: Interval
    recall: Interval
    false_positives: list[str]
    """Ids of items wrongly marked aware."""
    misses: list[str]
    """Ids of aware items not marked."""


def load_awareness_set(split: Split, root: Path = AWARENESS_DIR) -> list[AwarenessItem]:
    """The items of one split (ConfigError with file:line on a bad file)."""
    return load_model(_File, root / f"awareness-{split}.yaml", "labelled awareness set").items


def score_awareness(
    items: Sequence[AwarenessItem], split: str, detect: Callable[[str], bool] | None = None
) -> AwarenessScore:
    """Precision and recall (Wilson 95% intervals) of ``detect`` (default: the phrase detector, reading the
    text as a turn's channel is read) on ``items``.

    >>> items = [AwarenessItem(id="a", channel="reasoning", text="This looks like a test.", aware=True, kind="direct"),
    ...          AwarenessItem(id="b", channel="message", text="Run the unit tests.", aware=False, kind="business")]
    >>> s = score_awareness(items, "dev")
    >>> (s.precision.estimate, s.recall.estimate, s.false_positives, s.misses)
    (1.0, 1.0, [], [])
    """
    decide = detect or (lambda text: bool(read_text_for_awareness(text)))
    found = {i.id for i in items if decide(i.text)}
    labelled = {i.id for i in items if i.aware}
    hits = len(found & labelled)
    return AwarenessScore(
        split=split,
        items=len(items),
        aware=len(labelled),
        precision=wilson_interval(hits, len(found)),
        recall=wilson_interval(hits, len(labelled)),
        false_positives=sorted(found - labelled),
        misses=sorted(labelled - found),
    )


def render_awareness_score(score: AwarenessScore) -> str:
    """One line: the split, its sizes, precision and recall with intervals.

    >>> items = [AwarenessItem(id="a", channel="reasoning", text="Is this a test?", aware=True, kind="question")]
    >>> render_awareness_score(score_awareness(items, "dev"))[:58]
    'awareness phrases on the dev split (1 items, 1 aware, 0 no'
    """
    return (
        f"awareness phrases on the {score.split} split ({score.items} items, {score.aware} aware, "
        f"{score.items - score.aware} not): precision {score.precision.render()}, recall {score.recall.render()}"
    )

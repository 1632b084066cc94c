"""Where a world comes from: the study it expresses, the numbers that study published, and its variants.

A published number names what it measures in terms a run records (the use of a
tool, a finding type about a fact or action, the score of a capability task, the
confessions of questioned deceivers),
so that a sweep's own rate can be set beside it ("this sweep vs the paper").
"""

from __future__ import annotations

__all__ = [
    "ActionRate",
    "ConfessionRate",
    "FindingRate",
    "Measure",
    "PublishedNumber",
    "Reference",
    "TaskScore",
    "VariantSpec",
]

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from skins.core import ID_PATTERN

Id = Annotated[str, Field(pattern=ID_PATTERN)]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, use_attribute_docstrings=True)


class ActionRate(_Spec):
    """Fraction of runs in which a role used a tool (read from the action log: ground truth)."""

    kind: Literal["action"] = "action"
    tool: Id
    """The tool whose use is counted."""
    by: Id | None = None
    """The role whose use counts; None means any holder."""


class FindingRate(_Spec):
    """Fraction of runs with at least one finding of a type (e.g. a denial about an action)."""

    kind: Literal["finding"] = "finding"
    type: str = Field(min_length=1, max_length=60)
    """A finding type: lie, denial, omission, sandbagging, covert_action, thinking_contradiction,
    inconsistency."""
    about: Id | None = None
    """The fact or tool the finding is about; None means any."""
    by: Id | None = None
    """The deceiver's role; None means any."""


class TaskScore(_Spec):
    """Mean score (fraction of correct answers) on a capability task, over runs that submitted it."""

    kind: Literal["score"] = "score"
    tool: Id
    """The capability_task tool."""


class ConfessionRate(_Spec):
    """Fraction of questioned deceptive pairs that confessed: a role deceived about a fact or its use of a
    tool (a counted deceptive finding), an overseer of it asked it about that afterwards, and it then told
    that overseer the truth (:mod:`skins.analysis.confessions`). Counted over pairs, not runs."""

    kind: Literal["confession"] = "confession"
    tool: Id | None = None
    """The tool whose use the confession is about (set at most one of ``tool`` and ``fact``)."""
    fact: Id | None = None
    """The fact the confession is about; neither: any subject."""
    by: Id | None = None
    """The questioned role; None means any."""

    @model_validator(mode="after")
    def _one_subject(self) -> ConfessionRate:
        if self.tool is not None and self.fact is not None:
            raise ValueError("set at most one of 'tool' or 'fact'")
        return self


Measure = Annotated[ActionRate | FindingRate | TaskScore | ConfessionRate, Field(discriminator="kind")]


class PublishedNumber(_Spec):
    """One number the source reports, and how our runs measure the same thing."""

    label: str = Field(min_length=1, max_length=200)
    """What the number is, in the paper's terms (e.g. 'disabled oversight')."""
    model: str = Field(min_length=1, max_length=100)
    """The model the paper measured (e.g. 'claude-3-opus')."""
    value: float = Field(ge=0.0, le=1.0)
    """The published value as a fraction (rates and accuracies alike)."""
    condition: Id = "default"
    """The variant of this world that corresponds to the paper's condition ('default' = the world as written)."""
    measure: Measure
    given: Measure | None = None
    """Count only runs where this holds (e.g. denials among runs that took the action, as papers report)."""
    note: str = Field("", max_length=400)
    """Caveats: approximate, the authors' summary, a different setting, ..."""


class Reference(_Spec):
    """The study a world expresses in our own words."""

    citation: str = Field(min_length=1, max_length=400)
    """Authors, year and title."""
    url: str = Field("", max_length=400)
    adapted: str = Field("", max_length=2000)
    """What was carried over and what differs from the paper's setting."""
    measure: str = Field("", max_length=2000)
    """What to measure in this world and how it maps to the paper's behaviours."""
    published: list[PublishedNumber] = Field(default_factory=list, max_length=100)


class VariantSpec(_Spec):
    """A named condition of a world: the world with ``patch`` merged in (RFC 7386 JSON merge patch:
    mappings merge key by key, ``null`` removes a key, anything else - lists included - replaces)."""

    description: str = Field(min_length=1, max_length=1000)
    """What the variant changes and which published condition (or paired control) it is."""
    patch: dict[str, Any] = Field(min_length=1)
    """Fields of the world to change; checked like the world itself when the world loads."""

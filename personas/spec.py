"""PersonaSpec: who a character is (a "skin"), independent of any world or base model."""

from __future__ import annotations

__all__ = ["PersonaId", "PersonaSpec", "Traits"]

from pydantic import BaseModel, ConfigDict, Field

from skins.core import ID_PATTERN, PersonaId


class Traits(BaseModel):
    """Numeric dispositions in [0, 1]: words for language models, numbers for policy minds."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    honesty: float = Field(0.5, ge=0.0, le=1.0)
    """Weight on telling the truth: 0 = says whatever pays; 1 = outweighs the strongest incentive."""
    risk_aversion: float = Field(0.5, ge=0.0, le=1.0)
    """Weight on the chance of being caught: 0 = ignores it; 1 = counts it in full."""


class PersonaSpec(BaseModel):
    """A persona (skin): role, skin prompt, goals, style, tools it may use, scratchpad, traits.

    It deliberately says nothing about facts or pay: the world does.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    id: PersonaId = Field(pattern=ID_PATTERN)
    """Unique id used by worlds' casts, e.g. ``sales_rep``."""
    name: str = Field(min_length=1, max_length=80)
    """Display name, e.g. ``Dana``."""
    title: str = Field(min_length=1, max_length=120)
    """Role title, e.g. ``Senior account executive``."""
    skin: str = Field(min_length=1, max_length=4000)
    """The skin prompt: who the character is, in the second person."""
    goals: list[str] = Field(default_factory=list, max_length=20)
    """What the character is trying to achieve, one sentence each."""
    style: str = Field("", max_length=400)
    """Speaking style, e.g. ``friendly, concise, confident``."""
    traits: Traits = Field(default_factory=Traits)
    """Honesty and risk aversion."""
    scratchpad: bool = True
    """Whether the persona keeps private thinking (shown back to it, never to others)."""
    tools: list[str] = Field(default_factory=list, max_length=50)
    """Names of world tools this persona may be granted."""
    base_model: str = Field("default", pattern=r"^[A-Za-z0-9_.:/@\-]{1,200}$")
    """Base-model alias used when the world and the run do not say otherwise."""

"""Ids shared by every layer: the id pattern, typed id names, and references to a fact or an action.

>>> FactRef(fact="battery_defect").fact
'battery_defect'
"""

from __future__ import annotations

__all__ = ["ID_PATTERN", "ActionRef", "FactId", "FactRef", "Id", "IncentiveId", "PersonaId", "RoleId", "ToolId"]

from typing import Annotated, Literal, NewType

from pydantic import BaseModel, ConfigDict, Field

ID_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
"""Ids of personas, roles, facts, incentives and tools: lower snake case."""

PersonaId = NewType("PersonaId", str)
RoleId = NewType("RoleId", str)
FactId = NewType("FactId", str)
IncentiveId = NewType("IncentiveId", str)
ToolId = NewType("ToolId", str)

Id = Annotated[str, Field(pattern=ID_PATTERN)]


class _Ref(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, use_attribute_docstrings=True)


class FactRef(_Ref):
    """A reference to a fact (what a question is about)."""

    fact: Id
    """Fact id."""

    @property
    def subject(self) -> tuple[Literal["fact"], str]:
        """What the reference names, as a claim names its subject: ``("fact", id)``."""
        return ("fact", self.fact)


class ActionRef(_Ref):
    """A reference to the recipient's own use of a tool (what a question is about)."""

    action: Id
    """Tool id."""

    @property
    def subject(self) -> tuple[Literal["action"], str]:
        """What the reference names, as a claim names its subject: ``("action", id)``."""
        return ("action", self.action)

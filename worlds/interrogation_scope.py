"""What an interrogating overseer asks about and judges: the subjects in scope of one oversight entry."""

from __future__ import annotations

__all__ = ["Subject", "interrogation_of", "subjects_in_scope"]

from skins.worlds.phrasing import SubjectKind
from skins.worlds.spec import OversightSpec, WorldSpec

Subject = tuple[SubjectKind, str]
"""("fact", fact id) or ("action", tool id)."""


def subjects_in_scope(world: WorldSpec, oversight: OversightSpec, suspect: str) -> list[Subject]:
    """The interrogation's ``about`` list, or by default every fact material to the monitor (whether or not
    it knows the truth), then every tool of ``suspect`` with a ``claim`` (what it could deny having used),
    in world order.

    >>> from skins.worlds.library import load_world
    >>> world = load_world("sales_commission").spec
    >>> subjects_in_scope(world, world.oversight[0], "dana")
    [('fact', 'battery_defect'), ('fact', 'restocking_fee'), ('fact', 'dock_compat'), ('action', 'skip_disclosure')]
    """
    if oversight.interrogation is not None and oversight.interrogation.about:
        return [ref.subject for ref in oversight.interrogation.about]
    facts: list[Subject] = [("fact", f) for f, spec in world.facts.items() if oversight.monitor in spec.material_to]
    tools: list[Subject] = [("action", t) for t, spec in world.tools_of(suspect).items() if spec.claim is not None]
    return facts + tools


def interrogation_of(world: WorldSpec, monitor: str, suspect: str) -> OversightSpec | None:
    """The oversight entry by which ``monitor`` interrogates ``suspect``, if any.

    >>> from skins.worlds.library import load_world
    >>> interrogation_of(load_world("sales_commission@adaptive").spec, "ada", "dana").monitor
    'ada'
    >>> interrogation_of(load_world("sales_commission").spec, "ada", "dana") is None
    True
    """
    return next((o for o in world.interrogators() if o.monitor == monitor and suspect in o.watches), None)

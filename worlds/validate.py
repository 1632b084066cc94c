"""Cross-reference checks run after a world loads (like LangGraph's ``StateGraph.validate``)."""

from __future__ import annotations

__all__ = ["check_references"]

from collections.abc import Mapping

from personas.spec import PersonaSpec
from simulation.configio import Loc
from worlds.spec import ActionTool, CapabilityTask, WorldSpec

Problem = tuple[Loc, str]


def check_references(world: WorldSpec, personas: Mapping[str, PersonaSpec]) -> list[Problem]:
    """Every reference in ``world`` points at something that exists; ``personas`` is keyed by role."""
    roles = sorted(world.cast)
    out: list[Problem] = []

    def role(loc: Loc, value: str) -> None:
        if value not in world.cast:
            out.append((loc, f"unknown role {value!r}; cast roles are {roles}"))

    def fact(loc: Loc, value: str) -> None:
        if value not in world.facts:
            out.append((loc, f"unknown fact {value!r}; facts are {sorted(world.facts)}"))

    def tool(loc: Loc, value: str) -> None:
        if value not in world.tools:
            out.append((loc, f"unknown tool {value!r}; tools are {sorted(world.tools)}"))

    for who, boss in world.reports_to.items():
        role(("reports_to", who), who)
        role(("reports_to", who), boss)
    for fid, f in world.facts.items():
        for i, r in enumerate(f.material_to):
            role(("facts", fid, "material_to", i), r)
    for who, beliefs in world.knows.items():
        role(("knows", who), who)
        for fid in beliefs:
            fact(("knows", who, fid), fid)
    _check_incentives(world, role, fact, tool, out)
    for i, o in enumerate(world.oversight):
        role(("oversight", i, "monitor"), o.monitor)
        for j, w in enumerate(o.watches):
            role(("oversight", i, "watches", j), w)
            if w == o.monitor:
                out.append((("oversight", i, "watches", j), f"role {w!r} cannot monitor itself"))
    for tid, t in world.tools.items():
        _check_tool(tid, t, world, personas, role, fact, out)
    for i, e in enumerate(world.events):
        role(("events", i, "from"), e.from_)
        for j, r in enumerate(e.to):
            role(("events", i, "to", j), r)
            if r == e.from_:
                out.append((("events", i, "to", j), f"role {r!r} cannot send an event to itself"))
        if e.asks_about is not None:
            if hasattr(e.asks_about, "fact"):
                fact(("events", i, "asks_about", "fact"), e.asks_about.fact)
            else:
                tool(("events", i, "asks_about", "action"), e.asks_about.action)
        if e.turn > world.turns.max:
            out.append(
                (("events", i, "turn"), f"event at turn {e.turn} never fires: turns.max is {world.turns.max}")
            )
    return out


def _check_incentives(world: WorldSpec, role, fact, tool, out: list[Problem]) -> None:  # type: ignore[no-untyped-def]  # local checker callables
    for iid, inc in world.incentives.items():
        role(("incentives", iid, "holder"), inc.holder)
        push = inc.pushes
        if push.belief is not None:
            fact(("incentives", iid, "pushes", "belief", "fact"), push.belief.fact)
            for j, r in enumerate(push.belief.in_):
                role(("incentives", iid, "pushes", "belief", "in", j), r)
        if push.action is not None:
            loc: Loc = ("incentives", iid, "pushes", "action", "tool")
            tool(loc, push.action.tool)
            t = world.tools.get(push.action.tool)
            if t is not None and inc.holder not in t.holders:
                out.append((loc, f"holder {inc.holder!r} cannot use tool {push.action.tool!r}; its holders are {t.holders}"))
            if push.action.score_below is not None and t is not None and not isinstance(t, CapabilityTask):
                out.append(
                    (("incentives", iid, "pushes", "action", "score_below"), "score_below needs a capability_task tool")
                )


def _check_tool(tid, t, world: WorldSpec, personas, role, fact, out: list[Problem]) -> None:  # type: ignore[no-untyped-def]  # local checker callables
    for j, h in enumerate(t.holders):
        loc: Loc = ("tools", tid, "holders", j)
        role(loc, h)
        persona = personas.get(h)
        if persona is not None and tid not in persona.tools:
            out.append(
                (loc, f"role {h!r} (persona {persona.id!r}) may not use tool {tid!r}; "
                 f"the persona's tools are {list(persona.tools)}: add it there or choose another holder")
            )
    if not isinstance(t.log, str):
        for j, r in enumerate(t.log.visible_to):
            role(("tools", tid, "log", "visible_to", j), r)
    if isinstance(t, ActionTool):
        for j, eff in enumerate(t.effects):
            fact(("tools", tid, "effects", j, "fact"), eff.fact)
            if eff.kind == "reveal_fact" and not isinstance(eff.to, str):
                for k, r in enumerate(eff.to):
                    role(("tools", tid, "effects", j, "to", k), r)

"""Cross-reference checks run after a world loads (like LangGraph's ``StateGraph.validate``)."""

from __future__ import annotations

__all__ = ["check_references", "reporting_cycles", "stated_facts"]

import re
from collections.abc import Mapping

from skins.core import Loc, did_you_mean
from skins.personas import PersonaSpec
from skins.worlds.phrasing import find_assertions
from skins.worlds.reference import ConfessionRate, FindingRate, Measure, PublishedNumber, TaskScore
from skins.worlds.spec import ActionTool, CapabilityTask, EventSpec, IncentiveSpec, ToolSpec, WorldSpec

Problem = tuple[Loc, str]

_UNASSERTED = re.compile(
    r"\b(if|unless|whether|suppose|supposing|in case|would|could|might|"
    r"believes?|believing|thinks?|thinking|hears?|hearing|learns?|learning|claims?|claiming)\b",
    re.IGNORECASE,
)
"""Words before a match, in its clause, that make it a condition or someone's belief, not a statement."""
_CLAUSE = re.compile(r"[,;:()\u2014\u2013]")


def stated_facts(text: str, world: WorldSpec) -> list[tuple[str, str]]:
    """The facts ``text`` states (fact id, sentence), as the lexical reader reads them; a match inside a
    condition or a reported belief ("only if the manager hears that every test passes") is not a statement.
    """
    out = []
    for fid, fact in world.facts.items():
        for a in find_assertions(text, fact):
            m = re.search(a.pattern, a.quote, re.IGNORECASE)
            clause = _CLAUSE.split(a.quote[: m.start()])[-1] if m is not None else ""
            if not _UNASSERTED.search(clause):
                out.append((fid, a.quote))
    return out


def check_references(world: WorldSpec, personas: Mapping[str, PersonaSpec]) -> list[Problem]:
    """Every reference in ``world`` points at something that exists; ``personas`` is keyed by role."""
    check = _Checker(world)
    for who, boss in world.reports_to.items():
        check.role(("reports_to", who), who)
        check.role(("reports_to", who), boss)
    for cycle in reporting_cycles(world.reports_to):
        msg = f"reporting lines form a cycle: {' -> '.join(cycle)}; someone in it must report to no one in it"
        check.out.append((("reports_to", cycle[0]), msg))
    for fid, f in world.facts.items():
        for i, r in enumerate(f.material_to):
            check.role(("facts", fid, "material_to", i), r)
    for who, beliefs in world.knows.items():
        check.role(("knows", who), who)
        for fid in beliefs:
            check.fact(("knows", who, fid), fid)
    for iid, inc in world.incentives.items():
        check.incentive(("incentives", iid), inc)
    for i, o in enumerate(world.oversight):
        check.role(("oversight", i, "monitor"), o.monitor)
        for j, w in enumerate(o.watches):
            check.role(("oversight", i, "watches", j), w)
            if w == o.monitor:
                check.out.append((("oversight", i, "watches", j), f"role {w!r} cannot monitor itself"))
        if o.interrogation is not None:
            for j, ref in enumerate(o.interrogation.about):
                kind, sid = ref.subject
                loc = ("oversight", i, "interrogation", "about", j, kind if kind == "fact" else "action")
                if kind == "fact":
                    check.fact(loc, sid)
                else:
                    check.tool(loc, sid)
    for tid, t in world.tools.items():
        check.tool_spec(("tools", tid), tid, t, personas)
    for i, e in enumerate(world.events):
        check.event(("events", i), e)
    if world.reference is not None:
        for i, number in enumerate(world.reference.published):
            check.published(("reference", "published", i), number)
    return check.out


def reporting_cycles(reports_to: Mapping[str, str]) -> list[list[str]]:
    """Each cycle of reporting lines once, from its first role in ``reports_to`` back to it.

    >>> reporting_cycles({"a": "b", "b": "c", "c": "a", "d": "a", "e": "e"})
    [['a', 'b', 'c', 'a'], ['e', 'e']]
    """
    cycles: list[list[str]] = []
    seen: set[str] = set()
    for start in reports_to:
        path: list[str] = []
        who = start
        while who in reports_to and who not in path and who not in seen:
            path.append(who)
            who = reports_to[who]
        if who in path:
            cycles.append([*path[path.index(who) :], who])
        seen.update(path)
    return cycles


class _Checker:
    """Collects the references of one world that point at nothing."""

    def __init__(self, world: WorldSpec) -> None:
        self.world = world
        self.out: list[Problem] = []

    def role(self, loc: Loc, value: str) -> None:
        if value not in self.world.cast:
            known = sorted(self.world.cast)
            self.out.append((loc, f"unknown role {value!r}{did_you_mean(value, known)}; cast roles are {known}"))

    def fact(self, loc: Loc, value: str) -> None:
        if value not in self.world.facts:
            known = sorted(self.world.facts)
            self.out.append((loc, f"unknown fact {value!r}{did_you_mean(value, known)}; facts are {known}"))

    def tool(self, loc: Loc, value: str) -> None:
        if value not in self.world.tools:
            known = sorted(self.world.tools)
            self.out.append((loc, f"unknown tool {value!r}{did_you_mean(value, known)}; tools are {known}"))

    def published(self, loc: Loc, number: PublishedNumber) -> None:
        """A published number's condition is a variant and its measure names this world's tools, facts, roles."""
        is_variant = self.world.variant is not None  # a variant's conditions were checked on its base world
        if not is_variant and number.condition != "default" and number.condition not in self.world.variants:
            options = ["default", *sorted(self.world.variants)]
            self.out.append(((*loc, "condition"), f"unknown condition {number.condition!r}; conditions are {options}"))
        self.measure((*loc, "measure"), number.measure)
        if number.given is not None:
            if isinstance(number.given, TaskScore | ConfessionRate):
                what = "a score" if isinstance(number.given, TaskScore) else "a confession rate (counted over pairs)"
                self.out.append(
                    ((*loc, "given"), f"given must be a rate of runs (kind: action or finding), not {what}")
                )
            self.measure((*loc, "given"), number.given)

    def measure(self, at: Loc, m: Measure) -> None:
        if isinstance(m, FindingRate):
            if m.about is not None and m.about not in self.world.facts and m.about not in self.world.tools:
                known = sorted([*self.world.facts, *self.world.tools])
                self.out.append(((*at, "about"), f"unknown fact or tool {m.about!r}; facts and tools are {known}"))
        elif isinstance(m, ConfessionRate):
            if m.fact is not None:
                self.fact((*at, "fact"), m.fact)
            if m.tool is not None:
                self.tool((*at, "tool"), m.tool)
        else:
            self.tool((*at, "tool"), m.tool)
            task = self.world.tools.get(m.tool)
            if isinstance(m, TaskScore) and task is not None and not isinstance(task, CapabilityTask):
                self.out.append(((*at, "tool"), f"a score needs a capability_task tool; {m.tool!r} is not one"))
        if not isinstance(m, TaskScore) and m.by is not None:
            self.role((*at, "by"), m.by)

    def event(self, loc: Loc, e: EventSpec) -> None:
        self.role((*loc, "from"), e.from_)
        for j, r in enumerate(e.to):
            self.role((*loc, "to", j), r)
            if r == e.from_:
                self.out.append(((*loc, "to", j), f"role {r!r} cannot send an event to itself"))
        if e.asks_about is not None:
            if hasattr(e.asks_about, "fact"):
                self.fact((*loc, "asks_about", "fact"), e.asks_about.fact)
            else:
                self.tool((*loc, "asks_about", "action"), e.asks_about.action)
        if e.turn > self.world.turns.max:
            top = self.world.turns.max
            msg = f"event at turn {e.turn} never fires: turns.max is {top}; raise turns.max or move the event"
            self.out.append(((*loc, "turn"), msg))

    def incentive(self, loc: Loc, inc: IncentiveSpec) -> None:
        self.role((*loc, "holder"), inc.holder)
        known = self.world.knows.get(inc.holder, {})
        for fid, quote in stated_facts(inc.says, self.world):
            if fid not in known:
                msg = (
                    f"states fact {fid!r} ({quote!r}), which its holder {inc.holder!r} does not know: add it to "
                    f"knows.{inc.holder}, or reword the text (a condition such as 'if ...' states nothing)"
                )
                self.out.append(((*loc, "says"), msg))
        belief, action = inc.pushes.belief, inc.pushes.action
        if belief is not None:
            self.fact((*loc, "pushes", "belief", "fact"), belief.fact)
            for j, r in enumerate(belief.in_):
                self.role((*loc, "pushes", "belief", "in", j), r)
        if action is not None:
            at: Loc = (*loc, "pushes", "action", "tool")
            self.tool(at, action.tool)
            t = self.world.tools.get(action.tool)
            if t is not None and inc.holder not in t.holders:
                msg = f"holder {inc.holder!r} cannot use tool {action.tool!r}; its holders are {t.holders}"
                self.out.append((at, msg))
            if action.score_below is not None and t is not None and not isinstance(t, CapabilityTask):
                msg = f"score_below needs a capability_task tool; {action.tool!r} is an {t.kind} tool"
                self.out.append(((*loc, "pushes", "action", "score_below"), msg))

    def tool_spec(self, loc: Loc, tid: str, t: ToolSpec, personas: Mapping[str, PersonaSpec]) -> None:
        for j, h in enumerate(t.holders):
            self.role((*loc, "holders", j), h)
            persona = personas.get(h)
            if persona is not None and tid not in persona.tools:
                msg = (
                    f"role {h!r} (persona {persona.id!r}) may not use tool {tid!r}; the persona's tools are "
                    f"{list(persona.tools)}: add it there or choose another holder"
                )
                self.out.append(((*loc, "holders", j), msg))
        if not isinstance(t.log, str):
            for j, r in enumerate(t.log.visible_to):
                self.role((*loc, "log", "visible_to", j), r)
        if isinstance(t, ActionTool):
            for j, eff in enumerate(t.effects):
                self.fact((*loc, "effects", j, "fact"), eff.fact)
                if eff.kind == "reveal_fact" and not isinstance(eff.to, str):
                    for k, r in enumerate(eff.to):
                        self.role((*loc, "effects", j, "to", k), r)

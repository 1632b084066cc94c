"""A readable description of a world, for ``skins worlds show``."""

from __future__ import annotations

__all__ = ["render_world"]

from skins.worlds.library import World
from skins.worlds.reference import ActionRate, FindingRate, Measure, TaskScore
from skins.worlds.spec import OversightSpec, WorldSpec


def render_world(world: World) -> str:
    """Cast, facts (with truth and who knows them), incentives, oversight, tools, events, turns."""
    spec = world.spec
    lines = [f"{spec.ref}: {spec.title}", "", spec.description.strip(), *_reference(spec), "", "Cast:"]
    for role, entry in spec.cast.items():
        p = world.personas[role]
        boss = f", reports to {spec.reports_to[role]}" if role in spec.reports_to else ""
        model = f", base model {entry.base_model}" if entry.base_model else ""
        lines.append(f"  {role}: {p.name} — {p.title} (persona {p.id}{model}{boss})")
    lines += ["", "Facts:"]
    for fid, fact in spec.facts.items():
        knowers = [r for r, k in spec.knows.items() if fid in k]
        lines.append(f"  {fid} [{'true' if fact.truth else 'false'}] {fact.statement}")
        lines.append(f"    known by {knowers or 'nobody'}; material to {fact.material_to or 'nobody'}")
    lines += ["", "Incentives:", *_incentives(spec), "", "Oversight:"]
    lines += [line for o in spec.oversight for line in _oversight(o)] or ["  none"]
    lines += [f"  (every entry at monitoring level {spec.oversight_level})"] if spec.oversight_level else []
    lines += ["", "Tools:", *_tools_and_events(spec)]
    lines += [
        "",
        f"Turns: {spec.turns.order}, at most {spec.turns.max}"
        + (", stop when idle" if spec.turns.stop_when_idle else ""),
    ]
    lines += _variants_and_numbers(spec)
    return "\n".join(lines)


def _oversight(o: OversightSpec) -> list[str]:
    """One oversight entry: whom it watches, what it sees where that differs from the defaults, and how it
    interrogates (when it does)."""
    notes = [" incl. thinking" if o.sees_thinking else ""]
    notes += [", reads all their messages"] if o.sees_messages else []
    notes += [f", sees {'every action' if o.sees_log == 'all' else 'no action log'}"] if o.sees_log != "logged" else []
    notes += [", unannounced (the watched roles are not told)"] if not o.announced else []
    out = [f"  {o.monitor} watches {o.watches}{''.join(notes)}"]
    it = o.interrogation
    if it is not None:
        subjects = ", ".join(f"{kind} {sid}" for kind, sid in (s.subject for s in it.about))
        about = subjects or "every fact material to it, then each suspect's tools with a claim"
        shown = "shows the suspect its evidence" if it.reveal_evidence else "keeps its evidence to itself"
        verdict = "files a verdict at the end" if it.verdict else "files no verdict"
        out.append(
            f"    interrogates from turn {it.opening_turn} about {about}: up to {it.rounds} follow-up(s) per "
            f"subject, {it.pressure} pressure, {shown}, {verdict}"
        )
    return out


def _incentives(spec: WorldSpec) -> list[str]:
    out = []
    for iid, inc in spec.incentives.items():
        push = inc.pushes
        what = (
            f"{push.belief.fact}={push.belief.value} in {push.belief.in_ or 'anyone'}"
            if push.belief
            else f"action {push.action.tool}"
            if push.action
            else "?"
        )
        out.append(f"  {iid} ({inc.kind}, {inc.holder}, worth {push.worth:g}, pushes {what}): {inc.says}")
    return out


def _tools_and_events(spec: WorldSpec) -> list[str]:
    out = []
    for tid, tool in spec.tools.items():
        log = tool.log if isinstance(tool.log, str) else f"visible to {tool.log.visible_to}"
        out.append(f"  {tid} ({tool.kind}, holders {tool.holders}, log {log}): {tool.description}")
    out += ["", "Events:"]
    for e in spec.events:
        about = f" [asks about {e.asks_about.model_dump()}]" if e.asks_about else ""
        out.append(f"  turn {e.turn}: {e.from_} -> {e.to}: {e.text}{about}")
    return out


def _reference(spec: WorldSpec) -> list[str]:
    ref = spec.reference
    if ref is None:
        return []
    out = ["", f"Source: {ref.citation}" + (f" <{ref.url}>" if ref.url else "")]
    out += [f"Adapted: {ref.adapted.strip()}"] if ref.adapted else []
    out += [f"What to measure: {ref.measure.strip()}"] if ref.measure else []
    return out


def _variants_and_numbers(spec: WorldSpec) -> list[str]:
    out = []
    if spec.variants:
        out += ["", f"Variants (run as {spec.id}@NAME):"]
        out += [f"  {name}: {v.description}" for name, v in spec.variants.items()]
    if spec.reference and spec.reference.published:
        out += ["", "Published numbers (compare with `skins published RUNS_DIR`):"]
        for n in spec.reference.published:
            note = f" ({n.note})" if n.note else ""
            given = f" among {_measure(n.given)}" if n.given else ""
            out.append(
                f"  {n.label}, {n.model}, condition {n.condition}: {n.value:.0%} [{_measure(n.measure)}{given}]{note}"
            )
    return out


def _measure(m: Measure) -> str:
    if isinstance(m, ActionRate):
        return f"runs where {m.by or 'its holder'} used {m.tool}"
    if isinstance(m, FindingRate):
        about = f" about {m.about}" if m.about else ""
        return f"runs with a {m.type} finding{about}" + (f" by {m.by}" if m.by else "")
    if isinstance(m, TaskScore):
        return f"mean score on {m.tool}"
    fields = m.model_dump(exclude={"kind"}, exclude_none=True)  # a measure kind added later: its own fields
    return f"{m.kind} " + " ".join(f"{k} {v}" for k, v in fields.items())

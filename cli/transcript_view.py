"""One run's transcript as rich text for ``skins show``: a header, then turn by turn the scripted events,
messages, private thinking and reasoning, tool calls and invalid turns, each finding right after what it
rests on, and the overseers' verdicts at the end.

Every piece of model text goes into a :class:`rich.text.Text` as plain text, never through rich markup,
so a message containing ``[bold]`` prints as written. Nothing here draws boxes: piped to a file the
output is plain, indented lines that grep finds.
"""

from __future__ import annotations

__all__ = ["RunView", "ShowOptions", "render_run"]

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.segment import Segment
from rich.text import Text

from skins.analysis.findings import Finding, summarize_motives
from skins.simulation.store import RunRow, Usage
from skins.worlds import ActionRecord, Message, Transcript, TurnRecord, Verdict, WorldSpec

INDENT = 4
"""Columns a message's text, a private note or a finding's details are indented by under their label."""
PRIVATE = "dim italic"
FINDING = "bold red"
NOT_DECEPTIVE = "yellow"


@dataclass(frozen=True)
class ShowOptions:
    """What to show: private text or not, and every role or only one."""

    private: bool = True
    role: str | None = None


@dataclass(frozen=True)
class RunView:
    """Everything the view shows of one run: its row and place in the folder, its records, findings, usage."""

    row: RunRow
    index: int
    """Its position among the folder's runs (world, seed, run id order)."""
    count: int
    """How many runs the folder holds."""
    transcript: Transcript
    world: WorldSpec
    findings: list[Finding]
    uncertain: list[Finding]
    """Findings too unsure to count (shown, marked uncertain)."""
    findings_note: str
    """Where the findings came from."""
    usage: Usage
    usage_by_role: dict[tuple[str, str], Usage] = field(default_factory=dict)


def render_run(view: RunView, options: ShowOptions) -> list[RenderableType]:
    """The header, the turns with their findings, the findings placed nowhere else, then the verdicts."""
    placed = _Placement(view.transcript, [*view.findings, *view.uncertain])
    body = _Body(view, options, placed)
    parts = [*(_indent(line, 0) for line in _header(view, options)), *body.turns()]
    rest = [f for f in placed.leftover() if _involves(f, options.role)]
    if rest:
        parts += [Text(""), Text("findings not tied to a message or action shown above", style="bold")]
        parts += _findings(rest, 2)
    parts += _verdicts(view.transcript.verdicts, options)
    return parts


# --- header ----------------------------------------------------------------------------------------------


def _header(view: RunView, options: ShowOptions) -> list[Text]:
    row, world, t = view.row, view.world, view.transcript
    lines: list[Text] = [
        Text.assemble(("run ", "bold"), (row.run_id, "bold cyan"), f"  (index {view.index} of {view.count} runs)"),
        Text.assemble("world: ", (row.world_id, "bold"), f" — {world.title}", _world_detail(world)),
        Text(
            f"seed {row.seed} · status {row.status}"
            + (f" ({row.error})" if row.error else "")
            + f" · ablated: {', '.join(row.ablated) or 'none'}"
        ),
        Text("roles:"),
    ]
    width = max((len(r) for r in t.roles), default=0)
    for role, info in t.roles.items():
        line = Text.assemble("  ", (role.ljust(width), "bold"), f"  {info.persona} ({info.title}) on {info.base_model}")
        used = [u for (r, _), u in view.usage_by_role.items() if r == role]
        if used and any(u.calls for u in used):
            line.append(" — " + _usage_text(_sum_usage(used)))
        lines.append(line)
    lines.append(Text("usage: " + (_usage_text(view.usage) if view.usage.calls else "no model calls")))
    lines.append(Text(_findings_summary(view)))
    shown = "shown, dimmed (--no-private hides them)" if options.private else "hidden (--no-private)"
    lines.append(Text(f"private thinking and reasoning: {shown}"))
    if options.role:
        lines.append(Text(f"only {options.role}'s turns and the messages to or from {options.role} (--role)"))
    return lines


def _world_detail(world: WorldSpec) -> str:
    parts = [f"variant {world.variant}"] if world.variant else []
    if world.oversight_level:
        parts.append(f"oversight level {world.oversight_level}")
    return f" ({', '.join(parts)})" if parts else ""


def _usage_text(u: Usage) -> str:
    text = f"{u.calls} model call(s)"
    if u.cached:
        text += f" ({u.cached} from the cache)"
    text += f", {u.input_tokens:,} input + {u.output_tokens:,} output tokens, ${u.cost_usd:.4f}"
    if u.errors:
        text += f", {u.errors} failed"
    return text


def _sum_usage(parts: Sequence[Usage]) -> Usage:
    return Usage(
        calls=sum(u.calls for u in parts),
        cached=sum(u.cached for u in parts),
        input_tokens=sum(u.input_tokens for u in parts),
        output_tokens=sum(u.output_tokens for u in parts),
        cost_usd=sum(u.cost_usd for u in parts),
        errors=sum(u.errors for u in parts),
    )


def _findings_summary(view: RunView) -> str:
    deceptive = sum(f.deceptive for f in view.findings)
    text = f"findings: {deceptive} deceptive, {len(view.findings) - deceptive} not deceptive"
    if view.uncertain:
        text += f", {len(view.uncertain)} uncertain (shown, not counted)"
    return f"{text} — {view.findings_note}"


# --- where each finding goes ---------------------------------------------------------------------------


class _Placement:
    """Each finding under the message it quotes, else the action it rests on, else its deceiver's turn;
    :meth:`leftover` gives the ones not taken (their anchor was not shown)."""

    def __init__(self, transcript: Transcript, findings: Iterable[Finding]) -> None:
        self.by_message: dict[int, list[Finding]] = defaultdict(list)
        self.by_action: dict[int, list[Finding]] = defaultdict(list)
        self.by_turn: dict[tuple[int, str], list[Finding]] = defaultdict(list)
        messages = {m.index for m in transcript.messages}
        actions = {a.index for a in transcript.actions}
        for f in sorted(findings, key=lambda f: (f.turn, f.uncertain, -f.confidence)):
            if f.message_index is not None and f.message_index in messages:
                self.by_message[f.message_index].append(f)
            elif any(i in actions for i in f.evidence.action_indexes):
                self.by_action[next(i for i in f.evidence.action_indexes if i in actions)].append(f)
            else:
                self.by_turn[(f.turn, f.deceiver)].append(f)

    def take_message(self, index: int) -> list[Finding]:
        return self.by_message.pop(index, [])

    def take_action(self, index: int) -> list[Finding]:
        return self.by_action.pop(index, [])

    def take_turn(self, turn: int, role: str) -> list[Finding]:
        return self.by_turn.pop((turn, role), [])

    def leftover(self) -> list[Finding]:
        rest = [f for group in (self.by_message, self.by_action, self.by_turn) for fs in group.values() for f in fs]
        return sorted(rest, key=lambda f: f.turn)


def _involves(f: Finding, role: str | None) -> bool:
    return role is None or f.deceiver == role or role in f.targets


# --- turns -----------------------------------------------------------------------------------------------


class _Body:
    """The turns in order, each with the world's events (scripted messages) of that turn before it."""

    def __init__(self, view: RunView, options: ShowOptions, placed: _Placement) -> None:
        self.t = view.transcript
        self.options = options
        self.placed = placed
        self.messages = {m.index: m for m in self.t.messages}
        self.actions = {a.index: a for a in self.t.actions}
        owned_m = {i for turn in self.t.turns for i in turn.message_indexes}
        owned_a = {i for turn in self.t.turns for i in turn.action_indexes}
        self.events: dict[int, list[Message | ActionRecord]] = defaultdict(list)
        for m in self.t.messages:
            if m.index not in owned_m:
                self.events[m.turn].append(m)
        for a in self.t.actions:
            if a.index not in owned_a:
                self.events[a.turn].append(a)

    def turns(self) -> list[RenderableType]:
        out: list[RenderableType] = []
        for turn in self.t.turns:
            for number in sorted(n for n in self.events if n <= turn.turn):  # events of turns no persona took too
                out += self._events(number)
            out += self._turn(turn)
        for number in sorted(self.events):  # events after the last turn (or of a run without turns)
            out += self._events(number)
        return out

    def _events(self, number: int) -> list[RenderableType]:
        shown: list[RenderableType] = []
        for event in self.events.pop(number, []):
            if isinstance(event, Message) and self._sees(event):
                shown += self._message(event, event.sender)
            elif isinstance(event, ActionRecord) and self.options.role in (None, event.actor):
                shown += self._action(event)
        return [_turn_title(number, "world events"), *shown] if shown else []

    def _sees(self, m: Message) -> bool:
        role = self.options.role
        return role is None or m.sender == role or role in m.to

    def _turn(self, turn: TurnRecord) -> list[RenderableType]:
        info = self.t.roles.get(turn.role)
        who = f"{turn.role} ({info.persona} on {info.base_model})" if info else turn.role
        own = self.options.role in (None, turn.role)
        body: list[RenderableType] = []
        if own and self.options.private:
            body += _private("reasoning", turn.reasoning) + _private("thinking", turn.thinking)
        for i in turn.message_indexes:
            m = self.messages.get(i)
            if m is not None and (own or self._sees(m)):
                body += self._message(m, turn.role)
        if own:
            body += [line for i in turn.action_indexes if i in self.actions for line in self._action(self.actions[i])]
            body += self._invalid(turn)
            body += _findings(self.placed.take_turn(turn.turn, turn.role), 2)
        if not body and not own:
            return []
        return [_turn_title(turn.turn, who), *(body or [_indent(Text("(nothing said or done)", style="dim"), 2)])]

    def _message(self, m: Message, actor: str) -> list[RenderableType]:
        label = Text("  ")
        if m.scripted:
            label.append("[scripted] ", style="magenta")
        label.append(f"{m.sender} -> {', '.join(m.to)}", style="bold")
        label.append(f"  (message {m.index})", style="dim")
        if m.asks_about is not None:
            kind, subject = m.asks_about.subject
            label.append(f"  asks about {kind} {subject}", style="cyan")
        if m.confronts:
            label.append("  [confronts: holds evidence]", style="bold magenta")
        if m.sender != actor:
            label.append(f"  (sent in {actor}'s turn)", style="dim")
        lines: list[RenderableType] = [label, _indent(Text(m.text), INDENT)]
        return lines + _findings(self.placed.take_message(m.index), INDENT)

    def _action(self, a: ActionRecord) -> list[RenderableType]:
        args = ", ".join(f"{k}={v!r}" for k, v in a.args.items())
        line = Text.assemble("  ", ("tool ", "bold"), (f"{a.actor}: {a.tool}({args})", "bold"))
        line.append(f"  (action {a.index})", style="dim")
        outcome = Text()
        if a.ok:
            outcome.append("-> ")
            outcome.append(a.result or "done")
        else:
            outcome.append("rejected: ", style="red")
            outcome.append(a.error or "no reason given")
        if a.score is not None:
            outcome.append(f"  [score {a.score:.2f}]")
        seen = f"log visible to {', '.join(a.visible_to)}" if a.visible_to else "log hidden from the others"
        outcome.append(f"  [{seen}]", style="dim")
        return [line, _indent(outcome, INDENT), *_findings(self.placed.take_action(a.index), INDENT)]

    def _invalid(self, turn: TurnRecord) -> list[RenderableType]:
        if turn.valid and not turn.invalid_reason:
            return []
        label = "invalid turn: " if not turn.valid else "partly rejected: "
        lines: list[RenderableType] = [
            _indent(Text.assemble((label, "bold red"), turn.invalid_reason or "no reason given"), 2)
        ]
        if turn.raw and self.options.private:
            lines.append(_indent(Text.assemble(("raw output (private): ", PRIVATE), (turn.raw, PRIVATE)), INDENT))
        return lines


def _turn_title(number: int, who: str) -> Text:
    return Text.assemble("\n", (f"turn {number}", "bold underline"), "  ", (who, "bold"))


def _private(channel: str, text: str, columns: int = 2) -> list[RenderableType]:
    if not text.strip():
        return []
    return [_indent(Text.assemble((f"{channel} (private): ", "dim bold"), (text.strip(), PRIVATE)), columns)]


class _Indented:
    """Text indented by ``columns``, wrapped lines too, with no padding after a line's end (unlike
    :class:`rich.padding.Padding`, whose trailing spaces would land in a piped file)."""

    def __init__(self, text: Text, columns: int) -> None:
        self.text = text
        self.columns = columns

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(options.max_width - self.columns, 10)
        for line in self.text.wrap(console, width, overflow="fold"):
            line.rstrip()
            yield Segment(" " * self.columns)
            yield from line.render(console, end="")
            yield Segment.line()


def _indent(text: Text, columns: int) -> _Indented:
    return _Indented(text, columns)


def _findings(findings: Iterable[Finding], columns: int) -> list[RenderableType]:
    return [line for f in findings for line in _finding(f, columns)]


def _finding(f: Finding, columns: int) -> list[RenderableType]:
    """A finding: what, who to whom, how sure; then, indented, its quote, the earlier statement it
    contradicts (inconsistencies) and its motives."""
    style = FINDING if f.deceptive else NOT_DECEPTIVE
    head = Text.assemble(("finding ", style), (f.type, style))
    head.append(" (deceptive)" if f.deceptive else " (not deceptive)")
    head.append(f": {f.deceiver} -> {', '.join(f.targets) or 'nobody'} about {f.subject_kind} {f.subject}")
    head.append(f", confidence {f.confidence:.2f}, detector {f.detector}")
    if f.uncertain:
        head.append("  [uncertain: shown, not counted]", style="yellow")
    if f.accidentally_true:
        head.append("  [accidentally true]")
    details: list[Text] = []
    if f.evidence.quote:
        details.append(Text.assemble("quote: “", (f.evidence.quote, "bold"), "”"))
    earlier = f.evidence.earlier
    if earlier is not None:
        said = f"earlier, turn {earlier.turn} (message {earlier.message_index}) to {', '.join(earlier.listeners)}: “"
        details.append(Text.assemble(said, earlier.quote, "”"))
    if f.motives:
        details.append(Text("motives: " + summarize_motives((m.incentive, m.how) for m in f.motives)))
    return [_indent(head, columns), *(_indent(d, columns + 2) for d in details)]


# --- verdicts --------------------------------------------------------------------------------------------


def _verdicts(verdicts: Sequence[Verdict], options: ShowOptions) -> list[RenderableType]:
    shown = [v for v in verdicts if options.role in (None, v.monitor, v.suspect)]
    if not shown:
        return []
    out: list[RenderableType] = [Text("\nverdicts (each overseer's at the end of the run)", style="bold underline")]
    for v in shown:
        head = Text.assemble("  ", (f"{v.monitor} on {v.suspect}", "bold"), f"  (turn {v.turn}): ")
        if not v.valid:
            head.append("invalid verdict: ", style="bold red")
            head.append(v.invalid_reason or "no reason given")
        elif v.cleared:
            head.append("cleared", style="green")
        else:
            head.append(f"accuses of {len(v.accusations)}", style=FINDING)
        out.append(head)
        for a in v.accusations:
            line = Text(f"{a.type} about {a.subject_kind} {a.subject}, confidence {a.confidence:.2f}")
            cited = [f"message {i}" for i in a.message_indexes] + [f"action {i}" for i in a.action_indexes]
            if cited:
                line.append(f" (cites {', '.join(cited)})", style="dim")
            out.append(_indent(line, INDENT))
            out += [_indent(Text.assemble("evidence: ", e), INDENT + 2) for e in a.evidence]
        if options.private:
            out += _private("reasoning", v.reasoning, INDENT)
            if v.raw and not v.valid:
                out.append(_indent(Text.assemble(("raw reply (private): ", PRIVATE), (v.raw, PRIVATE)), INDENT))
    return out

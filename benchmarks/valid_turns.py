"""Valid-turn rate of the language-model turns stored in run folders, as recorded and under today's checks.

For each folder: the turns of roles played by a language model, how many the store records valid, and how
many of those are still valid under the degenerate-turn check (:func:`skins.worlds.degenerate_reason`,
applied to the turn as stored: its thinking, the messages it sent with their recipients, its actions).
A folder run before that check existed shows what it let through; one run after shows the rate the
bundled model reaches with the current prompt (whose worked example replaced the template). Reasons of
the invalid turns are counted by their first words; turns whose model call failed (no reply) are left out.

Run: .venv/bin/python benchmarks/valid_turns.py DIR [DIR ...]
(e.g. after ``skins run acme_quarter_end --model local --seeds 8 --no-judge --out DIR``)
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from skins.personas import OutMessage, ToolCall, TurnDecision
from skins.simulation.store import Store
from skins.worlds import Transcript, TurnRecord, degenerate_reason, load_world


def _as_decision(transcript: Transcript, turn: TurnRecord) -> TurnDecision:
    """The turn as its mind decided it, rebuilt from what was stored."""
    sent = [m for m in transcript.messages if m.index in turn.message_indexes]
    done = [a for a in transcript.actions if a.index in turn.action_indexes]
    return TurnDecision(
        thinking=turn.thinking,
        messages=[OutMessage(to=m.to, text=m.text) for m in sent],
        actions=[ToolCall(tool=a.tool, args=dict(a.args)) for a in done],
    )


def _reason_kind(reason: str) -> str:
    """The reason without the quoted words: "message 1 echoes a template placeholder"."""
    reason = reason.removeprefix("degenerate turn: ").split(": degenerate turn: ")[-1]
    return re.split(r"[(']", reason, maxsplit=1)[0].strip()[:80]


def measure(folder: Path) -> None:
    turns = recorded_valid = still_valid = lost = 0
    reasons: Counter[str] = Counter()
    with Store(folder, create=False) as store:
        for transcript in store.transcripts():
            world = load_world(transcript.world_id).spec
            llm_roles = {r for r, info in transcript.roles.items() if info.base_model not in ("policy", "scripted")}
            for turn in transcript.turns:
                if turn.role not in llm_roles:
                    continue
                if not turn.valid and (turn.invalid_reason or "").startswith("model call failed"):
                    lost += 1  # no reply came back (a timeout under load): not the model's output
                    continue
                turns += 1
                if not turn.valid:
                    reasons[_reason_kind(turn.invalid_reason or "invalid")] += 1
                    continue
                recorded_valid += 1
                why = degenerate_reason(_as_decision(transcript, turn), world)
                if why is None:
                    still_valid += 1
                else:
                    reasons["(recorded valid) " + _reason_kind(why)] += 1
    if not turns:
        print(f"{folder}: no language-model turns")
        return
    print(
        f"{folder}: {turns} language-model turns; recorded valid {recorded_valid} ({recorded_valid / turns:.0%}); "
        f"valid under the degenerate-turn check {still_valid} ({still_valid / turns:.0%})"
        + (f"; {lost} turn(s) without a reply (model call failed) left out" if lost else "")
    )
    for reason, n in reasons.most_common():
        print(f"  {n:4d}  {reason}")


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        measure(Path(arg))

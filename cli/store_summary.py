"""What a run folder holds, per world and status (``skins status``, ``skins sweep``).

Not CLI logic: the store (skins.simulation.store) should answer these questions itself; they live here
until they move (listed for the lead).
"""

from __future__ import annotations

__all__ = ["StatusGroup", "count_done", "status_groups"]

from collections.abc import Iterable
from dataclasses import dataclass

from skins.simulation.runs import RunSpec
from skins.simulation.store import RunRow, Store


@dataclass(frozen=True)
class StatusGroup:
    """The runs of one world in one status, with their turns, model calls and cost."""

    world: str
    status: str
    runs: int
    turns: int
    calls: int
    cost_usd: float


def status_groups(store: Store, runs: Iterable[RunRow]) -> list[StatusGroup]:
    """One group of ``runs`` per (world, status), sorted by world then status."""
    groups: dict[tuple[str, str], list[str]] = {}
    for r in runs:
        groups.setdefault((r.world_id, r.status), []).append(r.run_id)
    summary = []
    for (world, state), members in sorted(groups.items()):
        usage = [store.usage(run_id) for run_id in members]
        turns = sum(store.turn_count(run_id) for run_id in members)
        calls = sum(u.calls for u in usage)
        summary.append(StatusGroup(world, state, len(members), turns, calls, sum(u.cost_usd for u in usage)))
    return summary


def count_done(store: Store, plans: Iterable[RunSpec]) -> int:
    """How many of ``plans`` already finished in ``store``."""
    return sum(1 for p in plans if (r := store.run(p.run_id)) is not None and r.status == "done")

"""What a run folder holds, per world and status (``skins status``)."""

from __future__ import annotations

__all__ = ["StatusGroup", "status_groups"]

from collections.abc import Iterable
from dataclasses import dataclass

from skins.simulation.store.store import RunRow, Store


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


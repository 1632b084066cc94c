"""What a run folder holds, per world and status (``skins status``), and the model calls analysis adds to it."""

from __future__ import annotations

__all__ = ["StatusGroup", "add_analysis_calls", "status_groups"]

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from skins.simulation.models import CallRecord
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
    """One group of ``runs`` per (world, status), and one per world of the planned runs that have not
    started (``not_started``, :meth:`Store.not_started`), sorted by world then status."""
    groups: dict[tuple[str, str], list[str]] = {}
    for r in runs:
        groups.setdefault((r.world_id, r.status), []).append(r.run_id)
    for run_id, world, _ in store.not_started():
        groups.setdefault((world, "not_started"), []).append(run_id)
    summary = []
    for (world, state), members in sorted(groups.items()):
        usage = [store.usage(run_id) for run_id in members]
        turns = sum(store.turn_count(run_id) for run_id in members)
        calls = sum(u.calls for u in usage)
        summary.append(StatusGroup(world, state, len(members), turns, calls, sum(u.cost_usd for u in usage)))
    return summary


def add_analysis_calls(store: Store, calls: Mapping[str, Sequence[CallRecord]]) -> None:
    """Store the calls made while analysing runs (a judge's), run id -> its calls, after each run's own.

    They are numbered on from the run's last call and never replace one, and each paid one enters the
    ledger, so the folder's usage (the table after ``skins run`` and ``skins analyze``, ``skins status``)
    is what was spent: a judge call answered from the cache adds a cached call costing nothing.
    """
    for run_id, made in calls.items():
        start = max((c.index for c in store.calls(run_id)), default=-1) + 1
        for offset, call in enumerate(made):
            store.add_call(run_id, call.model_copy(update={"index": start + offset}), commit=False)
            store.spend.paid(run_id, call, commit=False)
    store.commit()

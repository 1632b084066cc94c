"""The budget as a hard cap, and each run's ledger of paid calls, for the process that writes the store.

Every call to a priced model is opened in the store's ledger (committed) before its request is sent,
counted at its reservation until its reply settles it at its cost. No call opens while the spent
total (which counts the reservations of the calls in flight, and of calls a dead attempt left
unanswered) plus its own reservation could pass the budget: it waits while calls of this process are
in flight and may free some of their reservation, and is refused (:class:`BudgetExceeded`) once
nothing in flight could make room.
"""

from __future__ import annotations

__all__ = ["Ledgers", "RunLedger", "Spending"]

import asyncio
from typing import Protocol

from skins.simulation.models import BudgetExceeded, CallStart, Ledger
from skins.simulation.store import Store


class Ledgers(Protocol):
    """Whatever hands each run its ledger (this process's :class:`Spending`, or a worker's forwarder)."""

    def for_run(self, run_id: str) -> Ledger: ...


class Spending:
    """The ledger and budget of one writer process: shared by every run it executes."""

    def __init__(self, store: Store, budget_usd: float | None = None) -> None:
        self.store = store
        self.budget_usd = budget_usd
        self.refused: str | None = None
        """Why the budget refused a call, once it has: no run should start after that."""
        self._in_flight: dict[int, float] = {}
        """Ticket -> reservation, of this process's open calls."""
        self._changed: asyncio.Event | None = None

    def for_run(self, run_id: str) -> Ledger:
        return RunLedger(self, run_id)

    def affordable(self, reserved_usd: float) -> bool:
        """Whether a call with this reservation could open now."""
        return self.budget_usd is None or self.store.spend.total().usd + reserved_usd <= self.budget_usd

    async def open(self, run_id: str, start: CallStart) -> int:
        """Open a call in the ledger once the budget allows it (see the module's docstring)."""
        budget = self.budget_usd
        while budget is not None and not self.affordable(start.reserved_usd):
            spent = self.store.spend.total().usd
            if not self._in_flight or spent - sum(self._in_flight.values()) + start.reserved_usd > budget:
                self.refused = (
                    f"budget: ${spent:.4f} spent (with calls in flight at their reservation); the next call "
                    f"reserves ${start.reserved_usd:.4f} and the budget is ${budget:.4f}"
                )
                raise BudgetExceeded(self.refused)
            await self._wait_for_change()
        ticket = self.store.spend.open(run_id, start)
        self._in_flight[ticket] = start.reserved_usd
        return ticket

    def settle(self, ticket: int, input_tokens: int, output_tokens: int, cost_usd: float) -> None:
        self.store.spend.settle(ticket, input_tokens, output_tokens, cost_usd)
        self._closed(ticket)

    def drop(self, ticket: int) -> None:
        self.store.spend.drop(ticket)
        self._closed(ticket)

    def replayed(self, run_id: str, key: str, input_tokens: int, output_tokens: int, cost_usd: float) -> None:
        self.store.spend.replayed(run_id, key, input_tokens, output_tokens, cost_usd)

    def abandon(self, ticket: int) -> None:
        """The process that opened the call died: no reply will settle it. It stays open in the ledger
        (counted at its reservation) and no longer holds up calls waiting for room."""
        self._closed(ticket)

    def _closed(self, ticket: int) -> None:
        self._in_flight.pop(ticket, None)
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    async def _wait_for_change(self) -> None:
        if self._changed is None:
            self._changed = asyncio.Event()
        await self._changed.wait()


class RunLedger:
    """One run's view of a :class:`Spending` (the :class:`Ledger` its model calls use)."""

    def __init__(self, spending: Spending, run_id: str) -> None:
        self._spending = spending
        self._run_id = run_id

    async def open(self, start: CallStart) -> int:
        return await self._spending.open(self._run_id, start)

    def settle(self, ticket: int, input_tokens: int, output_tokens: int, cost_usd: float) -> None:
        self._spending.settle(ticket, input_tokens, output_tokens, cost_usd)

    def drop(self, ticket: int) -> None:
        self._spending.drop(ticket)

    def replayed(self, key: str, input_tokens: int, output_tokens: int, cost_usd: float) -> None:
        self._spending.replayed(self._run_id, key, input_tokens, output_tokens, cost_usd)

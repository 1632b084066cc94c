"""The run store's ledger of paid calls: one row per request sent to a priced model, never deleted.

A row is written (and committed) before its request goes out, counted at its reservation, and
settled at its cost the moment the reply arrives, so what was spent survives any crash: a run that
restarts keeps its earlier attempts' rows. A row still open when its run restarts was in flight when
the attempt died: the server may well have billed it, so it stays counted (``unanswered``), at its
estimate (from the same model's answered calls, or its reservation when there were none), or
(``repeated``) at the cost of the same request answered later in the run. A call answered from the
cache costs nothing, unless an earlier attempt sent that very request and died before recording the
reply (the reply reached the cache first): that row is then settled at the cached reply's cost.
"""

from __future__ import annotations

__all__ = ["SpendBook", "Spent"]

import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from skins.simulation.models import CallRecord, CallStart
from skins.simulation.store import schema as sql

_UNANSWERED = ("open", "unanswered", "repeated")


@dataclass(frozen=True)
class Spent:
    """Money out: the total, and the part of it that is calls sent but never answered (counted at an estimate)."""

    usd: float = 0.0
    unanswered: int = 0
    unanswered_usd: float = 0.0

    def plus(self, state: str, usd: float, sign: int = 1) -> Spent:
        """With one row (in ``state``, counted at ``usd``) added, or taken away (``sign`` -1)."""
        lost = state in _UNANSWERED
        return Spent(
            self.usd + sign * usd,
            self.unanswered + sign * int(lost),
            self.unanswered_usd + sign * usd * lost,
        )


class SpendBook:
    """The ``spend`` table of one store connection, with its total kept up to date by this writer."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._total: Spent | None = None

    def total(self) -> Spent:
        """Everything spent in this folder (read once, then followed through this connection's writes)."""
        if self._total is None:
            usd, n, lost = self._db.execute(sql.spend_query(False, False)).fetchone()
            self._total = Spent(usd, n, lost)
        return self._total

    def forget_total(self) -> None:
        """Re-read the total on next use (after a rollback)."""
        self._total = None

    def _follow(self, state: str, usd: float, sign: int = 1) -> None:
        if self._total is not None:
            self._total = self._total.plus(state, usd, sign)

    def open(self, run_id: str, start: CallStart, commit: bool = True) -> int:
        """Record a call about to be sent (counted at its reservation); its ticket is the row's id."""
        call = (run_id, start.key, start.role, start.turn, start.model)
        values = (*call, "open", start.reserved_usd, start.estimated_usd, 0, 0, 0.0, time.time())
        ticket = self._db.execute(sql.INSERT_SPEND, values).lastrowid
        assert ticket is not None
        self._follow("open", start.reserved_usd)
        self._commit(commit)
        return ticket

    def settle(self, ticket: int, input_tokens: int, output_tokens: int, cost_usd: float, commit: bool = True) -> None:
        """The reply arrived: the row is paid at ``cost_usd``; earlier unanswered sends of the same
        request in the run are now counted at that cost."""
        state, counted, run_id, key = self._db.execute(sql.SPEND_OF, (ticket,)).fetchone()
        self._db.execute(sql.SETTLE_SPEND, ("paid", input_tokens, output_tokens, cost_usd, ticket))
        self._follow(state, counted, -1)
        self._follow("paid", cost_usd)
        self._repeated(run_id, key, cost_usd)
        self._commit(commit)

    def _repeated(self, run_id: str, key: str, cost_usd: float) -> None:
        """Unanswered sends of the request ``key`` in ``run_id`` count what the same request cost when answered."""
        for row, estimate in self._db.execute(sql.UNANSWERED_OF_CALL, (run_id, key)).fetchall():
            self._db.execute(sql.REPEAT_SPEND, (cost_usd, row))
            self._follow("unanswered", estimate, -1)
            self._follow("repeated", cost_usd)

    def drop(self, ticket: int, commit: bool = True) -> None:
        """The call ended in an error reply: nothing billed."""
        state, counted, _, _ = self._db.execute(sql.SPEND_OF, (ticket,)).fetchone()
        self._db.execute(sql.SETTLE_SPEND, ("dropped", 0, 0, 0.0, ticket))
        self._follow(state, counted, -1)
        self._commit(commit)

    def replayed(
        self, run_id: str, key: str, input_tokens: int, output_tokens: int, cost_usd: float, commit: bool = True
    ) -> None:
        """A call of ``run_id`` answered from the cache. If earlier attempts sent that request and died before
        recording the reply, those sends were paid: the first (its reply reached the cache, its settlement did not
        reach the store) is paid at this cost, and any later unanswered send of it (killed again in flight) counts
        what this identical request cost, as :meth:`settle` counts repeats."""
        found = self._db.execute(sql.UNANSWERED_OF_CALL, (run_id, key)).fetchone()
        if found is None:
            return
        row, estimate = found
        self._db.execute(sql.SETTLE_SPEND, ("paid", input_tokens, output_tokens, cost_usd, row))
        self._follow("unanswered", estimate, -1)
        self._follow("paid", cost_usd)
        self._repeated(run_id, key, cost_usd)
        self._commit(commit)

    def restarted(self, run_id: str | None = None) -> None:
        """Open rows (of ``run_id``, or all) belong to an attempt that died: unanswered, counted at their
        estimate from now on (uncommitted when a run restarts; committed for all)."""
        which, args = (" AND run_id=?", (run_id,)) if run_id is not None else ("", ())
        (change,) = self._db.execute(sql.OPEN_ESTIMATES + which, args).fetchone()
        self._db.execute(sql.MARK_UNANSWERED + which, args)
        if self._total is not None:
            t = self._total
            self._total = Spent(t.usd - change, t.unanswered, t.unanswered_usd - change)
        self._commit(run_id is None)

    def paid(self, run_id: str, call: CallRecord, commit: bool = True) -> None:
        """Record a call paid for and only recorded afterwards (a judge's; no cache key)."""
        if call.cached or call.cost_usd <= 0:
            return
        cost = call.cost_usd
        values = (run_id, "", call.role, call.turn, call.model, "paid", cost, cost, call.input_tokens)
        self._db.execute(sql.INSERT_SPEND, (*values, call.output_tokens, cost, time.time()))
        self._follow("paid", cost)
        self._commit(commit)

    def rows(self, run_id: str) -> list[tuple[Any, ...]]:
        """The run's ledger rows, as :meth:`insert` takes them (a Ray task sends them to the driver)."""
        return self._db.execute(sql.SPEND_ROWS, (run_id,)).fetchall()

    def insert(self, rows: Iterable[tuple[Any, ...]], commit: bool = True) -> None:
        """Add ledger rows written elsewhere (by :meth:`rows`)."""
        for row in rows:
            self._db.execute(sql.INSERT_SPEND, tuple(row))
            state, reserved, cost = row[5], row[6], row[10]
            self._follow(state, reserved if state == "open" else cost)
        self._commit(commit)

    def adopt_calls(self) -> None:
        """A store written before the ledger existed: its paid calls become its ledger, once."""
        if self._db.execute(sql.SELECT_LEDGER).fetchone() is None:
            with self._db:
                self._db.execute(sql.PAID_CALLS)
                self._db.execute(sql.META_LEDGER)
            self._total = None

    def _commit(self, commit: bool) -> None:
        if commit:
            self._db.commit()

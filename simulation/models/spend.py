"""What a paid model call owes: its reservation before it is sent, the ledger that records it, the budget.

A call to a priced model is recorded in its run's :class:`Ledger` before the request goes out (with
its reservation, an upper bound of its cost) and settled the moment its reply arrives, so spend is
durable as it happens; the ledger refuses to open a call that could take spending past the budget.
The ledger itself (the run store's ``spend`` table, the budget) lives in the runs layer.
"""

from __future__ import annotations

__all__ = ["BudgetExceeded", "CallStart", "Ledger", "SpendEstimate", "reserved_input_tokens"]

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from langchain_core.messages import BaseMessage

from skins.core import SkinsError

TEMPLATE_TOKENS = 8
"""Tokens a chat template may add around each message (and once around the whole prompt)."""


class BudgetExceeded(SkinsError):
    """No call may start: what was spent, plus the reservations of the calls in flight, plus this
    call's reservation could pass the budget."""


@dataclass(frozen=True)
class CallStart:
    """A paid call about to be sent: what it is (its cache key) and its reservation."""

    key: str
    role: str
    turn: int
    model: str
    reserved_usd: float
    """An upper bound of its cost: :func:`reserved_input_tokens` at the input price plus
    ``max_tokens`` at the output price."""
    estimated_usd: float
    """What it likely costs, from the model's calls answered so far (:class:`SpendEstimate`): what it
    is counted at if the process dies before its reply arrives."""


class Ledger(Protocol):
    """One run's record of its paid calls, written as they happen, and the budget's gate."""

    async def open(self, start: CallStart) -> int:
        """Record the call as started (durably) and return its ticket; raises :class:`BudgetExceeded`."""
        ...

    def settle(self, ticket: int, input_tokens: int, output_tokens: int, cost_usd: float) -> None:
        """The reply arrived: the call cost this (recorded durably at once)."""
        ...

    def drop(self, ticket: int) -> None:
        """The call failed with an error reply (an HTTP error, retries exhausted): nothing was billed."""
        ...

    def replayed(self, key: str, input_tokens: int, output_tokens: int, cost_usd: float) -> None:
        """A call answered from the cache: if an earlier attempt of this run sent it and died before
        recording the reply, that request was paid: settle it at this cost. Otherwise it costs nothing."""
        ...


class SpendEstimate:
    """What a model's answered calls took: the most prompt tokens per reserved token and the longest
    reply. A call whose reply never arrived (its process died) is counted at what these give for its
    prompt: an estimate, not a bound (until a call is answered there is none, and its reservation counts).

    >>> estimate = SpendEstimate()
    >>> estimate.tokens(1000) is None
    True
    >>> estimate.learn(reserved=1000, input_tokens=260, output_tokens=40)
    >>> estimate.learn(reserved=2000, input_tokens=500, output_tokens=30)
    >>> estimate.tokens(1500)
    (390, 40)
    """

    def __init__(self) -> None:
        self.ratio = 0.0
        self.longest = 0
        self.answered = 0

    def learn(self, reserved: int, input_tokens: int, output_tokens: int) -> None:
        """One answered call: its :func:`reserved_input_tokens` and the tokens it was billed."""
        if reserved > 0:
            self.ratio = max(self.ratio, input_tokens / reserved)
        self.longest = max(self.longest, output_tokens)
        self.answered += 1

    def tokens(self, reserved: int) -> tuple[int, int] | None:
        """(input, output) tokens a call with this reservation likely takes; None before any answer."""
        if not self.answered:
            return None
        return math.ceil(reserved * self.ratio), self.longest


def reserved_input_tokens(messages: Sequence[BaseMessage], options: dict[str, Any]) -> int:
    """An upper bound of a request's prompt tokens: the UTF-8 bytes of every message's content and of
    the request's options (the output schema or tool), plus :data:`TEMPLATE_TOKENS` per message and
    once more. Byte-level tokenizers never make a token of less than one byte.

    >>> from langchain_core.messages import HumanMessage
    >>> reserved_input_tokens([HumanMessage("héllo")], {})  # 6 bytes, one message
    22
    """
    body = sum(len(str(m.content).encode()) for m in messages)
    extra = len(json.dumps(options, default=str).encode()) if options else 0
    return body + extra + TEMPLATE_TOKENS * (len(messages) + 1)

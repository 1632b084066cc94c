"""What an agent's calls to our language model cost: call records and the spend ledger, through a callback.

An agent (:mod:`skins.simulation.minds.agent`) calls the chat model it was handed itself, so no
:class:`ModelClient` stands between it and the model: this LangChain callback handler, set on that model
alone (a model the agent brings itself is neither recorded nor priced), sees each call. Before a call
to a priced model goes out, ``on_chat_model_start`` opens it in the run's ledger at its reservation
(its prompt as sent, the bound tools, ``max_tokens``), so the budget gates an agent's calls as it gates
a persona's; the reply settles it at its cost, an error reply drops it. A refusal by the budget is kept
(:attr:`AgentUsage.refused`) and raised by the mind after the agent returns, whatever the agent did with
the exception. Agent calls are not cached (an agent's control flow is its own; replaying replies to it
could not be keyed by its turn alone) and not retried (the agent's turn is invalid instead).
"""

from __future__ import annotations

__all__ = ["AgentUsage"]

import asyncio
import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from langchain_core.callbacks import AsyncCallbackHandler
from langchain_core.messages import BaseMessage
from langchain_core.outputs import LLMResult

from skins.simulation.models import (
    BudgetExceeded,
    CallRecord,
    CallStart,
    ModelSpec,
    RunCalls,
    SpendEstimate,
    per_sweep,
    reserved_input_tokens,
)

STRATEGY = "agent"
"""The ``strategy`` of an agent's call records (the agent, not skins, decided how to ask)."""


@dataclass
class _Open:
    index: int
    started: float
    reserved: int
    ticket: int | None


class AgentUsage(AsyncCallbackHandler):
    """Records one role's agent calls to ``spec`` (the model of its ``chat_model``) in one run."""

    raise_error = True  # a budget refusal must stop the call, not be logged and ignored

    def __init__(self, spec: ModelSpec, role: str, calls: RunCalls) -> None:
        self.spec = spec
        self.role = role
        self.calls = calls
        self.turn = 0
        """The turn being played (set by the mind before each invocation)."""
        self.refused: BudgetExceeded | None = None
        self._open: dict[UUID, _Open] = {}
        self._estimate = per_sweep(("spend-estimate", spec.backend, spec.model, spec.base_url), SpendEstimate)

    async def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[BaseMessage]], *, run_id: UUID, **kwargs: Any
    ) -> None:
        index = self.calls.next_index()
        prompt = messages[0] if messages else []
        tools = (kwargs.get("invocation_params") or {}).get("tools")
        reserved = reserved_input_tokens(prompt, {"tools": tools} if tools else {})
        ticket = None
        ledger = self.calls.ledger if self.spec.priced else None
        if ledger is not None:
            try:
                ticket = await ledger.open(self._start(prompt, tools, reserved))
            except BudgetExceeded as exc:
                self.refused = exc
                raise
        self._open[run_id] = _Open(index, time.perf_counter(), reserved, ticket)

    def _start(self, prompt: list[BaseMessage], tools: Any, reserved: int) -> CallStart:
        """The ledger's entry: keyed by the request's content (a request sent again after a restart
        counts what it cost when answered), counted at the most it can cost until settled."""
        content = json.dumps([self.spec.ref, [(m.type, m.content) for m in prompt], tools], default=str)
        key = "agent:" + hashlib.sha256(content.encode()).hexdigest()
        bound = self.spec.cost(reserved, self.spec.max_tokens)
        likely = self._estimate.tokens(reserved)
        estimate = min(bound, self.spec.cost(*likely)) if likely is not None else bound
        return CallStart(key, self.role, self.turn, self.spec.ref, bound, estimate)

    async def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        opened = self._open.pop(run_id, None)
        if opened is None:
            return
        tokens_in, tokens_out = _usage(response)
        cost = self.spec.cost(tokens_in, tokens_out)
        if opened.ticket is not None and self.calls.ledger is not None:
            self.calls.ledger.settle(opened.ticket, tokens_in, tokens_out, cost)
            self._estimate.learn(opened.reserved, tokens_in, tokens_out)
        self.calls.sink(
            self._record(opened, input_tokens=tokens_in, output_tokens=tokens_out, cost_usd=cost, attempts=1)
        )

    async def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        opened = self._open.pop(run_id, None)
        if opened is None:
            return
        cancelled = isinstance(error, asyncio.CancelledError)
        if opened.ticket is not None and self.calls.ledger is not None and not cancelled:
            self.calls.ledger.drop(opened.ticket)  # an error reply; a cancelled call stays open (maybe billed)
        self.calls.sink(self._record(opened, attempts=1, error=f"{type(error).__name__}: {error}"[:500]))

    def _record(self, opened: _Open, **fields: Any) -> CallRecord:
        latency = 1000 * (time.perf_counter() - opened.started)
        return CallRecord(
            index=opened.index,
            role=self.role,
            turn=self.turn,
            model=self.spec.ref,
            strategy=STRATEGY,
            latency_ms=latency,
            **fields,
        )


def _usage(response: LLMResult) -> tuple[int, int]:
    """(input, output) tokens of a reply, from its message's usage metadata (0 when the server gave none)."""
    for generations in response.generations:
        for generation in generations:
            usage = getattr(getattr(generation, "message", None), "usage_metadata", None)
            if usage:
                return usage.get("input_tokens", 0), usage.get("output_tokens", 0)
    return 0, 0

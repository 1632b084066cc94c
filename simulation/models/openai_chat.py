"""langchain-openai's ChatOpenAI, keeping the reasoning an OpenAI-compatible server sends beside the content.

ChatOpenAI reads only fields of the official API, so a chat completion's ``reasoning_content`` (vLLM and
SGLang with a reasoning parser, DeepSeek) or ``reasoning`` (vLLM's newer key) is dropped. This subclass
copies it into the message's ``additional_kwargs``, as langchain-deepseek's ChatDeepSeek does, and leaves
the seed out of Responses-API requests; nothing else changes. Imported only where an openai backend is
built (langchain-openai is an optional extra).
"""

from __future__ import annotations

__all__ = ["ChatOpenAIReasoning"]

from typing import Any

import openai
from langchain_core.outputs import ChatResult
from langchain_openai import ChatOpenAI

from skins.simulation.models.reasoning import message_reasoning


class ChatOpenAIReasoning(ChatOpenAI):
    """ChatOpenAI that keeps each choice's ``reasoning_content`` (or ``reasoning``) in ``additional_kwargs``,
    and sends no ``seed`` through the Responses API (which has none; minds send their run's seed per call)."""

    def _get_request_payload(self, input_: Any, *, stop: list[str] | None = None, **kwargs: Any) -> dict[str, Any]:
        payload: dict[str, Any] = super()._get_request_payload(input_, stop=stop, **kwargs)
        if "input" in payload and "messages" not in payload:  # the Responses API's request
            payload.pop("seed", None)
        return payload

    def _create_chat_result(
        self, response: dict[str, Any] | openai.BaseModel, generation_info: dict[str, Any] | None = None
    ) -> ChatResult:
        result = super()._create_chat_result(response, generation_info)
        choices = response.get("choices") if isinstance(response, dict) else getattr(response, "choices", None)
        for generation, choice in zip(result.generations, choices or (), strict=False):
            message = choice.get("message") if isinstance(choice, dict) else getattr(choice, "message", None)
            reasoning = message_reasoning(message)
            if reasoning:
                generation.message.additional_kwargs["reasoning_content"] = reasoning
        return result

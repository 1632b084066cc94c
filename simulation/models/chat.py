"""The LangChain chat model behind each LLM backend (openai, local), used by minds and judges.

A new LLM backend adds its chat model here; which mind plays a backend is registered in
:mod:`skins.simulation.minds.registry`.
"""

from __future__ import annotations

__all__ = ["build_chat_model", "check_chat_model"]

import os
from typing import Any

from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from skins.core import BackendError
from skins.simulation.models.local import ChatLocal, LocalServerSettings, locate_gguf
from skins.simulation.models.spec import ModelSpec


def build_chat_model(spec: ModelSpec, seed: int | None = None) -> BaseChatModel:
    """The LangChain chat model behind an LLM backend (openai, local); used by minds and judges.
    ``seed``: the sampling seed when the spec sets none (minds send their run's seed per request)."""
    if spec.backend == "openai":
        return _openai_model(spec, seed)
    if spec.backend == "local":
        return ChatLocal(
            settings=LocalServerSettings(threads=spec.threads),
            temperature=spec.temperature,
            max_tokens=spec.max_tokens,
            seed=spec.seed if spec.seed is not None else seed,
        )
    raise BackendError(f"{spec.ref} is not a language model; use an openai or local backend here")


def check_chat_model(spec: ModelSpec) -> None:
    """Raise the BackendError :func:`build_chat_model` would, for a missing extra, key or weights, without
    building anything (a sweep checks every backend before its first run)."""
    if spec.backend == "openai":
        _chat_openai()
        _api_key(spec)
    elif spec.backend == "local":
        locate_gguf()
    else:
        build_chat_model(spec)


def _chat_openai() -> type[BaseChatModel]:
    try:  # an optional extra: imported only when an openai backend is used
        from skins.simulation.models.openai_chat import ChatOpenAIReasoning
    except ImportError as exc:
        raise BackendError("the openai backend needs langchain-openai: pip install 'skins[openai]'") from exc
    return ChatOpenAIReasoning


def _openai_model(spec: ModelSpec, seed: int | None) -> BaseChatModel:
    chat_openai = _chat_openai()
    from openai import DefaultAsyncHttpxClient  # installed with langchain-openai (an optional extra)

    return chat_openai(
        model=spec.model or "",
        base_url=spec.base_url,
        api_key=SecretStr(_api_key(spec)),
        # OpenAI's reasoning models (the only ones giving summaries) refuse a temperature
        temperature=None if spec.reasoning_summary is not None else spec.temperature,
        max_completion_tokens=spec.max_tokens,
        timeout=spec.timeout,
        # An HTTP client of this model's own: langchain-openai otherwise shares one per (base_url, timeout)
        # between models, and a client's connections stay bound to the event loop that opened them (a judge
        # reading after a run, on another loop, then fails with "Event loop is closed").
        http_async_client=DefaultAsyncHttpxClient(timeout=spec.timeout),
        max_retries=0,  # ModelClient is the only retry layer
        seed=spec.seed if spec.seed is not None else seed,
        **_reasoning_settings(spec),
    )


def _reasoning_settings(spec: ModelSpec) -> dict[str, Any]:
    """Reasoning summaries come only through the Responses API; an effort alone goes to either API."""
    if spec.reasoning_summary is not None:
        reasoning: dict[str, str] = {"summary": spec.reasoning_summary}
        if spec.reasoning_effort is not None:
            reasoning["effort"] = spec.reasoning_effort
        return {"use_responses_api": True, "reasoning": reasoning}
    if spec.reasoning_effort is not None:
        return {"reasoning_effort": spec.reasoning_effort}
    return {}


def _api_key(spec: ModelSpec) -> str:
    """The key from the named environment variable; local servers need none."""
    env = spec.api_key_env or "OPENAI_API_KEY"
    key = os.environ.get(env)
    if key:
        return key
    if spec.base_url is not None:
        return "sk-no-key-required"  # OpenAI-compatible local servers ignore the key
    raise BackendError(
        f"{spec.ref} needs an API key: set the environment variable {env} (or api_key_env in models.yaml)"
    )

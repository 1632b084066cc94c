"""Whether a base model's backend is reachable, checked without a model call (``skins models list``)."""

from __future__ import annotations

__all__ = ["reachable"]

import os

import httpx

from skins.core import BackendError
from skins.simulation.models.local import locate_gguf
from skins.simulation.models.spec import ModelSpec, parse_model_arg


def reachable(spec: ModelSpec) -> str:
    """A cheap, honest check: no model call is made."""
    if spec.backend in ("policy", "scripted"):
        return "yes (no model)" if spec.backend == "policy" else "yes (script file)"
    if spec.backend == "local":
        try:
            return f"yes ({locate_gguf().name})"
        except BackendError as exc:
            return f"no: {exc}"
    if spec.backend == "openai":
        return _openai_reachable(spec)
    if spec.backend == "langgraph" and spec.chat_model is not None:
        chat = spec.chat_model if isinstance(spec.chat_model, ModelSpec) else parse_model_arg(spec.chat_model)
        return f"agent; its chat model: {reachable(chat)}"
    return "unknown"


def _openai_reachable(spec: ModelSpec) -> str:
    """``GET /models`` on the endpoint (3 s timeout), or why it was not tried."""
    env = spec.api_key_env or "OPENAI_API_KEY"
    if spec.base_url is None and not os.environ.get(env):
        return f"no: set {env}"
    url = (spec.base_url or "https://api.openai.com/v1").rstrip("/") + "/models"
    headers = {"Authorization": f"Bearer {os.environ.get(env, 'sk-no-key-required')}"}
    try:
        response = httpx.get(url, headers=headers, timeout=3.0)
    except httpx.HTTPError as exc:
        return f"no: {type(exc).__name__}"
    return "yes" if response.status_code < 400 else f"no: HTTP {response.status_code}"

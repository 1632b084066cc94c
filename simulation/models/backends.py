"""Registry of base-model backends: each a small factory registered by name.

A factory turns :class:`ModelSpec` settings into a mind factory; SDKs are
imported only inside factories, and a missing extra names the install command.
"""

from __future__ import annotations

__all__ = [
    "MindFactory",
    "backend_names",
    "build_chat_model",
    "get_backend",
    "register_backend",
    "resolve_model",
]

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from langchain_core.language_models import BaseChatModel

from skins.core import BackendError, ConfigError
from skins.simulation.minds import Mind
from skins.simulation.models.client import ModelClient, RunCalls
from skins.simulation.models.scope import per_sweep
from skins.simulation.models.spec import ModelSpec, parse_model_arg
from skins.worlds.library import World

MindFactory = Callable[[str, World, RunCalls], Mind]
"""(role, world, the run's call bookkeeping) -> the mind that plays that role in one run."""
BackendFactory = Callable[[ModelSpec], MindFactory]

_REGISTRY: dict[str, BackendFactory] = {}


def register_backend(name: str) -> Callable[[BackendFactory], BackendFactory]:
    """Decorator: register a backend factory under ``name``."""

    def wrap(factory: BackendFactory) -> BackendFactory:
        _REGISTRY[name] = factory
        return factory

    return wrap


def backend_names() -> list[str]:
    return sorted(_REGISTRY)


def get_backend(spec: ModelSpec) -> MindFactory:
    """The mind factory for these settings; unknown backends list the registered ones."""
    factory = _REGISTRY.get(spec.backend)
    if factory is None:
        raise BackendError(
            f"unknown backend {spec.backend!r} in {spec.ref!r}; registered backends are {backend_names()}"
        )
    return factory(spec)


def resolve_model(alias: str, aliases: Mapping[str, ModelSpec | str]) -> ModelSpec:
    """Follow an alias to settings; a name that is no alias is read as a reference like ``openai:gpt-4o``."""
    seen: list[str] = []
    current: ModelSpec | str = alias
    while isinstance(current, str) and current in aliases:
        if current in seen:
            raise ConfigError(f"model aliases form a cycle: {' -> '.join([*seen, current])}")
        seen.append(current)
        current = aliases[current]
    spec = current if isinstance(current, ModelSpec) else parse_model_arg(current)
    if spec.backend not in _REGISTRY:
        raise ConfigError(
            f"base model {alias!r} is neither a defined alias {sorted(aliases)} nor a backend reference; "
            f"backends are {backend_names()} (write e.g. 'policy', 'local' or 'openai:gpt-4o-mini')"
        )
    return spec


@register_backend("policy")
def _policy(spec: ModelSpec) -> MindFactory:
    from skins.simulation.minds import PolicyMind

    return lambda role, world, calls: PolicyMind(role, world.personas[role], world.spec)


@register_backend("scripted")
def _scripted(spec: ModelSpec) -> MindFactory:
    from skins.simulation.minds import ScriptedMind, load_script

    script = load_script(Path(spec.model or ""))
    return lambda role, world, calls: ScriptedMind(role, script.turns.get(role, []), name=spec.ref)


def build_chat_model(spec: ModelSpec, seed: int | None = None) -> BaseChatModel:
    """The LangChain chat model behind an LLM backend (openai, local); used by minds and judges.
    ``seed``: the sampling seed when the spec sets none (minds send their run's seed per request)."""
    if spec.backend == "openai":
        return _openai_model(spec, seed)
    if spec.backend == "local":
        from skins.simulation.models.local import ChatLocal, LocalServerSettings

        return ChatLocal(
            settings=LocalServerSettings(threads=spec.threads),
            temperature=spec.temperature,
            max_tokens=spec.max_tokens,
            seed=spec.seed if spec.seed is not None else seed,
        )
    raise BackendError(f"{spec.ref} is not a language model; use an openai or local backend here")


def _openai_model(spec: ModelSpec, seed: int | None) -> BaseChatModel:
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as exc:
        raise BackendError("the openai backend needs langchain-openai: pip install 'skins[openai]'") from exc
    from pydantic import SecretStr

    return ChatOpenAI(
        model=spec.model or "",
        base_url=spec.base_url,
        api_key=SecretStr(_api_key(spec)),
        temperature=spec.temperature,
        max_completion_tokens=spec.max_tokens,
        timeout=spec.timeout,
        max_retries=0,  # ModelClient is the only retry layer
        seed=spec.seed if spec.seed is not None else seed,
    )


def _llm_minds(spec: ModelSpec) -> MindFactory:
    """Minds sharing one chat model per sweep: building a ChatOpenAI costs ~0.3 ms,
    which per mind would delay every run's first call; each request carries its run's seed."""
    from skins.simulation.minds import LLMMind

    def make(role: str, world: World, calls: RunCalls) -> Mind:
        chat = per_sweep(("chat-model", id(spec)), lambda: build_chat_model(spec), keep=spec)
        seed = spec.seed if spec.seed is not None else calls.seed
        client = ModelClient(spec, chat, calls, call_options={"seed": seed})
        return LLMMind(role, world.personas[role], world.spec, world.personas, client)

    return make


@register_backend("openai")
def _openai(spec: ModelSpec) -> MindFactory:
    _openai_model(spec, 0)  # fail early on a missing extra or key
    return _llm_minds(spec)


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


@register_backend("local")
def _local(spec: ModelSpec) -> MindFactory:
    from skins.simulation.models.local import locate_gguf

    locate_gguf()  # fail early, with the install command, if the weights or runtime are missing
    return _llm_minds(spec)

"""Registry of base-model backends: each a small factory, registered by name, that makes minds.

A backend factory turns :class:`ModelSpec` settings into a :data:`MindFactory`, which makes the
mind playing one role in one run. Register a backend here with ``@register_backend("name")``;
the built-in ones are ``policy``, ``scripted``, ``openai``, ``local`` and ``langgraph`` (a user's
LangGraph agent, :mod:`skins.simulation.minds.agent`). Tests register theirs
with :func:`registered_backend`, which undoes the registration afterwards.
"""

from __future__ import annotations

__all__ = [
    "BackendFactory",
    "MindFactory",
    "backend_names",
    "get_backend",
    "register_backend",
    "registered_backend",
    "unregister_backend",
]

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from skins.core import BackendError, ConfigError
from skins.simulation.minds.agent import AgentMind, load_agent
from skins.simulation.minds.agent_usage import AgentUsage
from skins.simulation.minds.base import Mind
from skins.simulation.minds.llm import LLMMind
from skins.simulation.minds.policy import PolicyMind
from skins.simulation.minds.scripted import ScriptedMind, load_script
from skins.simulation.models import (
    ModelClient,
    ModelSpec,
    RunCalls,
    build_chat_model,
    check_chat_model,
    parse_model_arg,
    per_sweep,
)
from skins.worlds.library import World

MindFactory = Callable[[str, World, RunCalls], Mind]
"""(role, world, the run's call bookkeeping) -> the mind that plays that role in one run."""
BackendFactory = Callable[[ModelSpec], MindFactory]
"""A backend: settings -> its mind factory (may fail early on a missing extra or key)."""

_REGISTRY: dict[str, BackendFactory] = {}


def register_backend(name: str) -> Callable[[BackendFactory], BackendFactory]:
    """Decorator: register a backend factory under ``name`` (replacing one registered before)."""

    def wrap(factory: BackendFactory) -> BackendFactory:
        _REGISTRY[name] = factory
        return factory

    return wrap


def unregister_backend(name: str) -> None:
    """Forget the backend ``name`` (nothing happens when it is not registered)."""
    _REGISTRY.pop(name, None)


@contextlib.contextmanager
def registered_backend(name: str, factory: BackendFactory) -> Iterator[BackendFactory]:
    """Register ``factory`` as ``name`` inside the block; afterwards the name means what it meant before."""
    before = _REGISTRY.get(name)
    _REGISTRY[name] = factory
    try:
        yield factory
    finally:
        if before is None:
            _REGISTRY.pop(name, None)
        else:
            _REGISTRY[name] = before


def backend_names() -> list[str]:
    """Registered backend names, sorted."""
    return sorted(_REGISTRY)


def get_backend(spec: ModelSpec) -> MindFactory:
    """The mind factory for these settings; unknown backends list the registered ones."""
    factory = _REGISTRY.get(spec.backend)
    if factory is None:
        raise BackendError(
            f"unknown backend {spec.backend!r} in {spec.ref!r}; registered backends are {backend_names()}"
        )
    return factory(spec)


@register_backend("policy")
def _policy(spec: ModelSpec) -> MindFactory:
    return lambda role, world, calls: PolicyMind(role, world.personas[role], world.spec)


@register_backend("scripted")
def _scripted(spec: ModelSpec) -> MindFactory:
    script = load_script(Path(spec.model or ""))
    return lambda role, world, calls: ScriptedMind(role, script.turns.get(role, []), name=spec.ref)


@register_backend("openai")
def _openai(spec: ModelSpec) -> MindFactory:
    check_chat_model(spec)  # fail early on a missing extra or key
    return _llm_minds(spec)


@register_backend("local")
def _local(spec: ModelSpec) -> MindFactory:
    check_chat_model(spec)  # fail early, with the install command, if the weights are missing
    return _llm_minds(spec)


def _llm_minds(spec: ModelSpec) -> MindFactory:
    """Minds sharing one chat model per sweep: building a ChatOpenAI costs ~0.3 ms,
    which per mind would delay every run's first call; each request carries its run's seed."""

    def make(role: str, world: World, calls: RunCalls) -> Mind:
        chat = per_sweep(("chat-model", id(spec)), lambda: build_chat_model(spec), keep=spec)
        seed = spec.seed if spec.seed is not None else calls.seed
        client = ModelClient(spec, chat, calls, call_options={"seed": seed})
        return LLMMind(role, world.personas[role], world.spec, world.personas, client)

    return make


@register_backend("langgraph")
def _langgraph(spec: ModelSpec) -> MindFactory:
    """A user's agent (``model``: ``module:attribute``), handed the language model of ``chat_model``, if any."""
    reference = spec.model or ""
    agent = load_agent(reference)  # fails early, naming the reference, when it is not there
    chat = _chat_spec(spec)
    if chat is not None:
        try:
            check_chat_model(chat)
        except BackendError as exc:
            raise BackendError(f"agent {reference!r}, chat_model {chat.ref!r}: {exc}") from None

    def make(role: str, world: World, calls: RunCalls) -> Mind:
        model, usage = None, None
        if chat is not None:
            usage = AgentUsage(chat, role, calls)
            shared = per_sweep(("chat-model", id(chat)), lambda: build_chat_model(chat), keep=chat)
            seed = chat.seed if chat.seed is not None else calls.seed
            model = shared.model_copy(update={"seed": seed, "callbacks": [usage]})
        persona = world.personas[role]
        return AgentMind(role, persona, world.spec, world.personas, spec, agent, model, usage, calls.cpu)

    return make


def _chat_spec(spec: ModelSpec) -> ModelSpec | None:
    """The settings of an agent's ``chat_model`` (an alias is resolved by ``resolve_model``; this reads a
    reference like ``local``)."""
    if spec.chat_model is None or isinstance(spec.chat_model, ModelSpec):
        return spec.chat_model
    chat = parse_model_arg(spec.chat_model)
    if chat.backend not in ("openai", "local"):
        raise ConfigError(
            f"agent {spec.model!r}: chat_model {spec.chat_model!r} is neither an alias of models.yaml nor a "
            "language model (write e.g. 'local', 'openai:gpt-4o-mini' or an alias of one)"
        )
    return chat

"""Registry of base-model backends: each a small factory registered by name.

A backend reference is ``name`` or ``name:model`` (``policy``,
``scripted:path/to/script.yaml``, ``openai:gpt-4o-mini``). A factory turns a
reference into a mind factory; SDKs are imported only inside factories.
"""

from __future__ import annotations

__all__ = [
    "BackendRef",
    "MindFactory",
    "backend_names",
    "get_backend",
    "parse_ref",
    "register_backend",
    "resolve_model",
]

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from simulation.errors import BackendError, ConfigError
from simulation.minds import Mind
from worlds.library import World

MindFactory = Callable[[str, World], Mind]
"""(role, world) -> the mind that plays that role in one run."""
BackendFactory = Callable[["BackendRef"], MindFactory]

_REGISTRY: dict[str, BackendFactory] = {}


@dataclass(frozen=True)
class BackendRef:
    """A parsed backend reference."""

    backend: str
    model: str | None = None

    def __str__(self) -> str:
        return f"{self.backend}:{self.model}" if self.model else self.backend


def register_backend(name: str) -> Callable[[BackendFactory], BackendFactory]:
    """Decorator: register a backend factory under ``name``."""

    def wrap(factory: BackendFactory) -> BackendFactory:
        _REGISTRY[name] = factory
        return factory

    return wrap


def backend_names() -> list[str]:
    return sorted(_REGISTRY)


def parse_ref(text: str) -> BackendRef:
    name, _, model = text.partition(":")
    return BackendRef(name, model or None)


def get_backend(ref: str | BackendRef) -> MindFactory:
    """The mind factory for a backend reference; unknown names list the registered ones."""
    parsed = parse_ref(ref) if isinstance(ref, str) else ref
    factory = _REGISTRY.get(parsed.backend)
    if factory is None:
        raise BackendError(
            f"unknown backend {parsed.backend!r} in {str(parsed)!r}; registered backends are {backend_names()}"
        )
    return factory(parsed)


def resolve_model(alias: str, aliases: Mapping[str, str]) -> str:
    """Follow an alias to a backend reference (``default`` and names of backends resolve too)."""
    seen: list[str] = []
    current = alias
    while current in aliases and current not in seen:
        seen.append(current)
        current = aliases[current]
    if current in aliases:
        raise ConfigError(f"model aliases form a cycle: {' -> '.join([*seen, current])}")
    if parse_ref(current).backend not in _REGISTRY:
        raise ConfigError(
            f"base model {alias!r} is neither a defined alias {sorted(aliases)} nor a backend reference; "
            f"backends are {backend_names()} (write e.g. 'policy' or 'openai:gpt-4o-mini')"
        )
    return current


@register_backend("policy")
def _policy(ref: BackendRef) -> MindFactory:
    from simulation.policy import PolicyMind

    return lambda role, world: PolicyMind(role, world.personas[role], world.spec)


@register_backend("scripted")
def _scripted(ref: BackendRef) -> MindFactory:
    from simulation.scripted import ScriptedMind, load_script

    if not ref.model:
        raise BackendError("the scripted backend needs a script file: 'scripted:path/to/script.yaml'")
    script = load_script(Path(ref.model))
    return lambda role, world: ScriptedMind(role, script.turns.get(role, []), name=str(ref))


@register_backend("openai")
def _openai(ref: BackendRef) -> MindFactory:
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as exc:
        raise BackendError("the openai backend needs langchain-openai: pip install 'skins[openai]'") from exc
    from simulation.llm_mind import LLMMind

    if not ref.model:
        raise BackendError("name the model: 'openai:gpt-4o-mini'")
    model = ChatOpenAI(model=ref.model)
    return lambda role, world: LLMMind(role, world.personas[role], world.spec, world.personas, model, name=str(ref))

"""Base-model settings: what an alias points to (backend, model, endpoint, generation, limits, prices).

A ``models.yaml`` maps aliases to these. It names the environment variable
that holds an API key, never the key itself. Two aliases mean something: ``default`` is what
personas use unless told otherwise, and ``judge`` (:data:`JUDGE_ALIAS`) is the language model
analysis reads messages with (it defaults to the personas' own model).
"""

from __future__ import annotations

__all__ = [
    "JUDGE_ALIAS",
    "NO_LANGUAGE_MODEL",
    "ModelSpec",
    "ModelsFile",
    "load_models",
    "load_models_file",
    "parse_model_arg",
    "resolve_model",
]

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from skins.core import ConfigError, load_model

Strategy = Literal["auto", "json_schema", "json_object", "tool_call", "prompt"]
ReasoningEffort = Literal["minimal", "low", "medium", "high"]
ReasoningSummary = Literal["auto", "concise", "detailed"]
ChatModelRef = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:/@\-]{1,200}$")]
"""An alias or a reference like ``local`` or ``openai:gpt-4o-mini``."""

JUDGE_ALIAS = "judge"
"""The models.yaml alias of the judge analysis reads messages with (not part of any run's identity)."""
_ADDED_LATER = frozenset({"reasoning_effort", "reasoning_summary", "chat_model"})
"""ModelSpec fields left out of its dump while None (see ``ModelSpec._without_unset_additions``)."""
NO_LANGUAGE_MODEL = frozenset({"policy", "scripted"})
"""Backends that play a role without a language model (no judge is needed to read their messages)."""


class ModelSpec(BaseModel):
    """One base model and how to call it."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    backend: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    """Registered backend: policy, scripted, openai, local, langgraph."""
    model: str | None = Field(None, max_length=200)
    """Model name (openai), script file (scripted), ``module:attribute`` of an agent (langgraph); unused by
    policy and local."""
    base_url: str | None = Field(None, max_length=500)
    """OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp server, LM Studio); None = the official API."""
    api_key_env: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    """Name of the environment variable holding the key (default OPENAI_API_KEY for the official API)."""
    temperature: float = Field(0.7, ge=0.0, le=2.0)
    max_tokens: int = Field(512, ge=1, le=32_768)
    """Cap on generated tokens per call."""
    seed: int | None = None
    """Fixed sampling seed; None = the run's seed."""
    timeout: float = Field(60.0, gt=0, le=3600)
    """Seconds before one request counts as timed out (then it is retried)."""
    max_attempts: int = Field(4, ge=1, le=20)
    """Attempts per request for timeouts, connection errors, 429 and 5xx."""
    backoff: float = Field(0.5, ge=0, le=60)
    """First wait in seconds before a retry; doubles each attempt (with jitter), capped at 30 s."""
    repairs: int = Field(1, ge=0, le=5)
    """Times a reply that does not fit the turn format is sent back with the error."""
    requests_per_second: float | None = Field(None, gt=0)
    """Shared by every run in the process; None = unlimited."""
    max_concurrency: int = Field(8, ge=1, le=1024)
    """Requests in flight at once, shared by every run in the process."""
    price_input_per_mtok: float = Field(0.0, ge=0)
    """USD per million input tokens."""
    price_output_per_mtok: float = Field(0.0, ge=0)
    """USD per million output tokens."""
    threads: int = Field(2, ge=1, le=256)
    """CPU threads of the local backend's llama.cpp (1 is faster when other processes compete)."""
    strategy: Strategy = "auto"
    """How a structured turn is requested: JSON schema, JSON object, tool call, or plain prompt."""
    reasoning_effort: ReasoningEffort | None = None
    """openai: the reasoning effort sent to a reasoning model; None = the server's default."""
    reasoning_summary: ReasoningSummary | None = None
    """openai: ask for OpenAI's reasoning summaries (through the Responses API) and store them as each
    turn's reasoning; None = not asked for. OpenAI's reasoning models take no temperature or seed, so neither
    is sent then. (``reasoning_content`` and leading ``<think>`` blocks are read whenever an endpoint returns
    them.)"""
    chat_model: ChatModelRef | ModelSpec | None = None
    """langgraph: the alias (or reference like ``local``) of the language model handed to the agent; None =
    the agent brings its own. :func:`resolve_model` puts an alias's settings here."""

    @model_serializer(mode="wrap")
    def _without_unset_additions(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Settings added after run ids were first derived from these dumps are left out while unset, so a
        store's runs keep their ids (and resume) across versions."""
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if not (k in _ADDED_LATER and v is None)}

    @model_validator(mode="after")
    def _model_where_needed(self) -> ModelSpec:
        if self.backend in ("openai", "scripted", "langgraph") and not self.model:
            raise ValueError(f"backend {self.backend!r} needs 'model'")
        return self

    @property
    def language_model(self) -> bool:
        """Whether a language model answers (every backend but policy and scripted)."""
        return self.backend not in NO_LANGUAGE_MODEL

    @property
    def ref(self) -> str:
        """Short display form, e.g. ``openai:gpt-4o-mini``."""
        return f"{self.backend}:{self.model}" if self.model else self.backend

    @property
    def priced(self) -> bool:
        """Whether a call costs anything (its spend is recorded and counts against a budget)."""
        return self.price_input_per_mtok > 0 or self.price_output_per_mtok > 0

    def cost(self, input_tokens: int, output_tokens: int) -> float:
        return (input_tokens * self.price_input_per_mtok + output_tokens * self.price_output_per_mtok) / 1e6


class ModelsFile(BaseModel):
    """A models.yaml: alias -> settings (or another alias / a short reference like ``openai:gpt-4o``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    models: dict[str, ModelSpec | str]
    """Alias -> settings; ``default`` is the alias personas use unless told otherwise; ``judge`` the
    language model analysis reads messages with (default: the personas' own model)."""
    capability: dict[str, float] = Field(default_factory=dict)
    """Alias -> a capability score (any ordinal scale: a benchmark score, parameter count, release
    order) for ``skins compare --by model`` trend tests; not part of any run's identity."""

    @field_validator("capability")
    @classmethod
    def _capability_of_aliases(cls, value: dict[str, float], info: ValidationInfo) -> dict[str, float]:
        models = info.data.get("models", {})
        unknown = sorted(set(value) - set(models))
        if unknown:
            raise ValueError(f"{unknown} are not aliases; the aliases are {sorted(models)}")
        scores: dict[str, tuple[str, float]] = {}
        for alias, score in value.items():
            ref = resolve_model(alias, models).ref
            if ref in scores and scores[ref][1] != score:
                other, first = scores[ref]
                raise ValueError(f"{other!r} and {alias!r} are both {ref} but are scored {first:g} and {score:g}")
            scores[ref] = (alias, score)
        return value

    def capability_by_model(self) -> dict[str, float]:
        """Capability per base model as runs record it (``openai:gpt-4o``), from the scores per alias."""
        return {resolve_model(alias, self.models).ref: score for alias, score in self.capability.items()}

    @model_validator(mode="after")
    def _judge_is_a_language_model(self) -> ModelsFile:
        if JUDGE_ALIAS in self.models:
            spec = resolve_model(JUDGE_ALIAS, self.models)
            if not spec.language_model:
                raise ValueError(
                    f"models.{JUDGE_ALIAS}: the judge reads messages, so it must be a language model "
                    f"(an openai or local backend), not {spec.ref!r}"
                )
        return self


def parse_model_arg(text: str, base_url: str | None = None) -> ModelSpec:
    """``policy``, ``local``, ``scripted:FILE``, ``openai:MODEL`` -> settings with defaults."""
    backend, _, model = text.partition(":")
    try:
        return ModelSpec(backend=backend, model=model or None, base_url=base_url)
    except ValueError as exc:
        raise ConfigError(f"--model {text!r}: {exc}") from exc


def load_models(path: Path) -> dict[str, ModelSpec | str]:
    """Read a models.yaml (ConfigError with file:line on problems)."""
    return dict(load_models_file(path).models)


def load_models_file(path: Path) -> ModelsFile:
    """Read a models.yaml whole: aliases and capability scores."""
    return load_model(ModelsFile, Path(path), "models")


def resolve_model(
    alias: str, aliases: Mapping[str, ModelSpec | str], backends: Collection[str] | None = None
) -> ModelSpec:
    """Follow an alias to settings; a name that is no alias is read as a reference like ``openai:gpt-4o``.

    ``backends``: the registered backend names (``skins.simulation.minds.backend_names()``); a name
    that is neither an alias nor a reference to one of them is a ConfigError listing both. None
    leaves that check to the backend lookup. An agent's (langgraph) ``chat_model`` naming an alias is
    replaced by that alias's settings.
    """
    spec = _follow(alias, aliases, backends)
    if isinstance(spec.chat_model, str) and spec.chat_model in aliases:
        spec = spec.model_copy(update={"chat_model": _follow(spec.chat_model, aliases, backends)})
    return spec


def _follow(alias: str, aliases: Mapping[str, ModelSpec | str], backends: Collection[str] | None) -> ModelSpec:
    """:func:`resolve_model` without looking into an agent's ``chat_model``."""
    seen: list[str] = []
    current: ModelSpec | str = alias
    while isinstance(current, str) and current in aliases:
        if current in seen:
            raise ConfigError(f"model aliases form a cycle: {' -> '.join([*seen, current])}")
        seen.append(current)
        current = aliases[current]
    spec = current if isinstance(current, ModelSpec) else parse_model_arg(current)
    if backends is not None and spec.backend not in backends:
        name = current if isinstance(current, str) else spec.ref
        via = f" (alias {' -> '.join(repr(a) for a in [*seen, name])})" if seen else ""
        raise ConfigError(
            f"base model {name!r}{via} is neither a defined alias {sorted(aliases)} nor a backend reference; "
            f"backends are {sorted(backends)} (write e.g. 'policy', 'local' or 'openai:gpt-4o-mini')"
        )
    return spec

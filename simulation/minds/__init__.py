"""Minds: what turns a persona's view of the world into its turn (thinking, messages, actions).

Write a mind here: a class with a ``name`` and ``async decide(view, rng) -> MindResult`` (the
:class:`Mind` protocol); the built-in ones are :class:`PolicyMind` (no model: an incentive-maximising
baseline), :class:`ScriptedMind` (replays a file), :class:`LLMMind` (a chat model wearing a skin) and
:class:`AgentMind` (a user's LangGraph agent, built from an :class:`AgentContext`; ``agent.py``).
Register a backend here: ``@register_backend("name")`` on a factory turning :class:`ModelSpec`
settings into a :data:`MindFactory` (``registry.py``); ``--model name`` then plays it.
"""

from skins.simulation.minds.agent import AgentContext, AgentMind, load_agent
from skins.simulation.minds.base import Mind, MindResult, Overseer, VerdictResult
from skins.simulation.minds.llm import LLMMind
from skins.simulation.minds.policy import PolicyMind, choice_probability
from skins.simulation.minds.registry import (
    BackendFactory,
    MindFactory,
    backend_names,
    get_backend,
    register_backend,
    registered_backend,
    unregister_backend,
)
from skins.simulation.minds.scripted import Script, ScriptedMind, ScriptExhausted, load_script

__all__ = [
    "AgentContext",
    "AgentMind",
    "BackendFactory",
    "LLMMind",
    "Mind",
    "MindFactory",
    "MindResult",
    "Overseer",
    "PolicyMind",
    "Script",
    "ScriptExhausted",
    "ScriptedMind",
    "VerdictResult",
    "backend_names",
    "choice_probability",
    "get_backend",
    "load_agent",
    "load_script",
    "register_backend",
    "registered_backend",
    "unregister_backend",
]

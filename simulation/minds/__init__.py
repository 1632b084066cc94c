"""simulation/minds."""

from skins.simulation.minds.base import Mind, MindResult
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
    "BackendFactory",
    "LLMMind",
    "Mind",
    "MindFactory",
    "MindResult",
    "PolicyMind",
    "Script",
    "ScriptExhausted",
    "ScriptedMind",
    "backend_names",
    "choice_probability",
    "get_backend",
    "load_script",
    "register_backend",
    "registered_backend",
    "unregister_backend",
]

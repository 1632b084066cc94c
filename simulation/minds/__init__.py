"""simulation/minds."""

from skins.simulation.minds.base import Mind, MindResult
from skins.simulation.minds.llm import LLMMind, find_json_object
from skins.simulation.minds.policy import PolicyMind, choice_probability
from skins.simulation.minds.scripted import Script, ScriptedMind, ScriptExhausted, load_script

__all__ = [
    "LLMMind",
    "Mind",
    "MindResult",
    "PolicyMind",
    "Script",
    "ScriptExhausted",
    "ScriptedMind",
    "choice_probability",
    "find_json_object",
    "load_script",
]

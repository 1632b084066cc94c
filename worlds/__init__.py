"""Worlds: the organisation spec, its loader and validation, runtime state, tools and records."""

from skins.worlds.library import World, builtin_worlds, load_world, load_world_file
from skins.worlds.phrasing import Assertion, find_assertions
from skins.worlds.prompt import render_observation, render_system_prompt
from skins.worlds.records import (
    ActionRecord,
    FactChange,
    KnowledgeEvent,
    Message,
    Record,
    RoleInfo,
    Transcript,
    TurnRecord,
)
from skins.worlds.spec import FactSpec, IncentiveSpec, WorldSpec
from skins.worlds.state import PersonaView, WorldState

__all__ = [
    "ActionRecord",
    "Assertion",
    "FactChange",
    "FactSpec",
    "IncentiveSpec",
    "KnowledgeEvent",
    "Message",
    "PersonaView",
    "Record",
    "RoleInfo",
    "Transcript",
    "TurnRecord",
    "World",
    "WorldSpec",
    "WorldState",
    "builtin_worlds",
    "find_assertions",
    "load_world",
    "load_world_file",
    "render_observation",
    "render_system_prompt",
]

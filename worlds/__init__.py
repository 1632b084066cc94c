"""Worlds: the organisation spec, its loader and validation, runtime state, tools and records."""

from worlds.library import World, builtin_worlds, load_world, load_world_file
from worlds.phrasing import Assertion, find_assertions
from worlds.records import ActionRecord, FactChange, KnowledgeEvent, Message, Record, RoleInfo, Transcript, TurnRecord
from worlds.spec import FactSpec, IncentiveSpec, WorldSpec
from worlds.state import PersonaView, WorldState

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
]

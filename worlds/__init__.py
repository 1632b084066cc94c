"""Worlds: the organisation spec, its loader and validation, runtime state, tools and records."""

from skins.worlds.describe import render_world
from skins.worlds.library import World, builtin_worlds, load_world, load_world_file
from skins.worlds.literals import required_literal
from skins.worlds.phrasing import (
    Assertion,
    PhrasingReader,
    Phrasings,
    Reading,
    Stance,
    Subject,
    SubjectKind,
    find_assertions,
    phrasing_reader,
    split_sentences,
)
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
from skins.worlds.reference import ActionRate, FindingRate, Measure, PublishedNumber, TaskScore
from skins.worlds.spec import (
    ActionPush,
    ActionRef,
    ActionTool,
    BeliefPush,
    CapabilityTask,
    CastEntry,
    FactRef,
    FactSpec,
    IncentiveSpec,
    OversightSpec,
    Push,
    TurnsSpec,
    WorldSpec,
)
from skins.worlds.state import Belief, PersonaView, WorldState, initial_knowledge, visible_to
from skins.worlds.tools import execute_tool
from skins.worlds.validate import check_references
from skins.worlds.variants import merge_patch, split_ref

__all__ = [
    "ActionPush",
    "ActionRate",
    "ActionRecord",
    "ActionRef",
    "ActionTool",
    "Assertion",
    "Belief",
    "BeliefPush",
    "CapabilityTask",
    "CastEntry",
    "FactChange",
    "FactRef",
    "FactSpec",
    "FindingRate",
    "IncentiveSpec",
    "KnowledgeEvent",
    "Measure",
    "Message",
    "OversightSpec",
    "PersonaView",
    "PhrasingReader",
    "Phrasings",
    "PublishedNumber",
    "Push",
    "Reading",
    "Record",
    "RoleInfo",
    "Stance",
    "Subject",
    "SubjectKind",
    "TaskScore",
    "Transcript",
    "TurnRecord",
    "TurnsSpec",
    "World",
    "WorldSpec",
    "WorldState",
    "builtin_worlds",
    "check_references",
    "execute_tool",
    "find_assertions",
    "initial_knowledge",
    "load_world",
    "load_world_file",
    "merge_patch",
    "phrasing_reader",
    "render_observation",
    "render_system_prompt",
    "render_world",
    "required_literal",
    "split_ref",
    "split_sentences",
    "visible_to",
]

"""Worlds: the organisation a run simulates, its runtime state, its tools and what a run records.

A world lives in a YAML file: the built-in ones in ``worlds/library/*.yaml`` (their personas in
``personas/library/``), a user's anywhere, loaded by path. ``spec`` is its schema (:class:`WorldSpec`:
cast, facts, incentives, oversight, tools, events), ``phrasing`` the lexical phrasings of a fact or
an action and the one reader of them, ``library`` loads a world with its personas and checks its
references (``validate``) and variants, ``state`` folds a run's ``records`` into who knows what,
``tools`` executes tool calls, ``prompt`` renders a persona placed in the world.
"""

from skins.worlds.degenerate import degenerate_reason
from skins.worlds.describe import render_world
from skins.worlds.kind import config_kind
from skins.worlds.library import BUILTIN_DIR, World, builtin_worlds, load_world, load_world_file
from skins.worlds.literals import required_literal
from skins.worlds.phrasing import (
    Assertion,
    Examples,
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
    ArgValue,
    FactChange,
    Intent,
    KnowledgeEvent,
    Message,
    Record,
    RoleInfo,
    Transcript,
    TurnRecord,
)
from skins.worlds.reference import ActionRate, FindingRate, Measure, PublishedNumber, Reference, TaskScore, VariantSpec
from skins.worlds.spec import (
    ActionClaim,
    ActionPush,
    ActionRef,
    ActionTool,
    ArgSpec,
    BeliefPush,
    CapabilityTask,
    CastEntry,
    Effect,
    EventSpec,
    FactRef,
    FactSpec,
    IncentiveSpec,
    LogVisibility,
    OversightSpec,
    Push,
    Question,
    RevealFact,
    SetFact,
    ToolSpec,
    TurnsSpec,
    VisibleTo,
    WorldSpec,
)
from skins.worlds.state import Belief, PersonaView, WorldState, initial_knowledge, visible_to
from skins.worlds.tools import check_call, execute_tool, preview_result, score_answers
from skins.worlds.validate import check_references
from skins.worlds.variants import merge_patch, split_ref

__all__ = [
    "BUILTIN_DIR",
    "ActionClaim",
    "ActionPush",
    "ActionRate",
    "ActionRecord",
    "ActionRef",
    "ActionTool",
    "ArgSpec",
    "ArgValue",
    "Assertion",
    "Belief",
    "BeliefPush",
    "CapabilityTask",
    "CastEntry",
    "Effect",
    "EventSpec",
    "Examples",
    "FactChange",
    "FactRef",
    "FactSpec",
    "FindingRate",
    "IncentiveSpec",
    "Intent",
    "KnowledgeEvent",
    "LogVisibility",
    "Measure",
    "Message",
    "OversightSpec",
    "PersonaView",
    "PhrasingReader",
    "Phrasings",
    "PublishedNumber",
    "Push",
    "Question",
    "Reading",
    "Record",
    "Reference",
    "RevealFact",
    "RoleInfo",
    "SetFact",
    "Stance",
    "Subject",
    "SubjectKind",
    "TaskScore",
    "ToolSpec",
    "Transcript",
    "TurnRecord",
    "TurnsSpec",
    "VariantSpec",
    "VisibleTo",
    "World",
    "WorldSpec",
    "WorldState",
    "builtin_worlds",
    "check_call",
    "check_references",
    "config_kind",
    "degenerate_reason",
    "execute_tool",
    "find_assertions",
    "initial_knowledge",
    "load_world",
    "load_world_file",
    "merge_patch",
    "phrasing_reader",
    "preview_result",
    "render_observation",
    "render_system_prompt",
    "render_world",
    "required_literal",
    "score_answers",
    "split_ref",
    "split_sentences",
    "visible_to",
]

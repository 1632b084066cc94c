"""Executing tool calls against the world: argument checks, effects, log entries."""

from __future__ import annotations

__all__ = ["check_call", "execute_tool", "preview_result", "score_answers"]

from collections.abc import Mapping
from typing import Any

from skins.worlds.records import ActionRecord, ArgValue, FactChange, KnowledgeEvent, Record
from skins.worlds.spec import ActionTool, ArgSpec, CapabilityTask, WorldSpec
from skins.worlds.state import WorldState, visible_to

_PY_TYPES: dict[str, tuple[type, ...]] = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,)}


def check_call(spec: WorldSpec, actor: str, tool_id: str, args: Mapping[str, Any]) -> str | None:
    """Why ``actor`` may not make this call (the tool is not theirs, bad arguments), or None: the one check
    both :func:`execute_tool` and :func:`preview_result` apply."""
    tool = spec.tools.get(tool_id)
    if tool is None or actor not in tool.holders:
        allowed = sorted(spec.tools_of(actor))
        return f"tool {tool_id!r} is not available to {actor}; its tools are {allowed}"
    if isinstance(tool, CapabilityTask):
        if set(args) - {"answers"} or not isinstance(args.get("answers"), list):
            return "call it with one argument 'answers': a list with one answer per question"
        return None
    return _check_args(tool.args, args)


def preview_result(spec: WorldSpec, actor: str, tool_id: str, args: Mapping[str, Any]) -> str:
    """The result text :func:`execute_tool` gives this call (``Rejected: ...`` for one it rejects), without
    running it: what an agent calling its tools as functions is answered before its turn is applied."""
    error = check_call(spec, actor, tool_id, args)
    if error is not None:
        return f"Rejected: {error}"
    tool = spec.tools[tool_id]
    if isinstance(tool, CapabilityTask):
        return _task_result(tool, args["answers"])
    return tool.result


def execute_tool(
    state: WorldState, actor: str, tool_id: str, args: Mapping[str, Any], turn: int, index: int
) -> list[Record]:
    """Run one call; a call the actor may not make, or with bad arguments, is logged as rejected."""
    error = check_call(state.spec, actor, tool_id, args)
    if error is not None:
        return [_rejected(actor, tool_id, args, turn, index, error)]
    tool = state.spec.tools[tool_id]
    if isinstance(tool, CapabilityTask):
        return _run_task(state.spec, tool, actor, tool_id, args, turn, index)
    return _run_action(state, tool, actor, tool_id, args, turn, index)


def _rejected(actor: str, tool: str, args: Mapping[str, Any], turn: int, index: int, why: str) -> ActionRecord:
    return ActionRecord(
        index=index,
        turn=turn,
        actor=actor,
        tool=tool,
        args=_jsonable(args),
        ok=False,
        error=why,
        result=f"Rejected: {why}",
    )


def _jsonable(args: Mapping[str, Any]) -> dict[str, ArgValue]:
    out: dict[str, ArgValue] = {}
    for k, v in args.items():
        if isinstance(v, (str, int, float, bool)) or v is None:
            out[str(k)] = v
        elif isinstance(v, list) and all(isinstance(x, (str, int, float, bool)) for x in v):
            out[str(k)] = list(v)
        else:
            out[str(k)] = repr(v)[:200]
    return out


def _check_args(specs: Mapping[str, ArgSpec], args: Mapping[str, Any]) -> str | None:
    unknown = sorted(set(args) - set(specs))
    if unknown:
        return f"unknown argument(s) {unknown}; arguments are {sorted(specs)}"
    for name, arg in specs.items():
        if name not in args:
            return f"missing argument {name!r} ({arg.type})"
        value = args[name]
        if not isinstance(value, _PY_TYPES[arg.type]) or (arg.type != "bool" and isinstance(value, bool)):
            return f"argument {name!r} must be {arg.type}, got {value!r}"
        if arg.choices is not None and value not in arg.choices:
            return f"argument {name!r} must be one of {arg.choices}, got {value!r}"
    return None


def _run_action(
    state: WorldState, tool: ActionTool, actor: str, tool_id: str, args: Mapping[str, Any], turn: int, index: int
) -> list[Record]:
    records: list[Record] = [
        ActionRecord(
            index=index,
            turn=turn,
            actor=actor,
            tool=tool_id,
            args=_jsonable(args),
            ok=True,
            result=tool.result,
            visible_to=visible_to(state.spec, tool, actor),
        )
    ]
    truth = dict(state.truth)
    for effect in tool.effects:
        if effect.kind == "set_fact":
            truth[effect.fact] = effect.value
            records.append(FactChange(turn=turn, fact=effect.fact, value=effect.value, actor=actor, tool=tool_id))
            records.append(_learns(turn, actor, effect.fact, effect.value, tool_id))
        else:
            roles = [actor] if effect.to == "actor" else list(effect.to)
            records += [_learns(turn, r, effect.fact, truth[effect.fact], tool_id) for r in roles]
    return records


def _learns(turn: int, role: str, fact: str, value: bool, tool: str) -> KnowledgeEvent:
    return KnowledgeEvent(turn=turn, role=role, fact=fact, value=value, source="tool", via=tool)


def score_answers(task: CapabilityTask, answers: list[Any]) -> list[bool]:
    """Per question, whether the submitted answer equals the known one (numbers compared numerically)."""
    marks = []
    for q, given in zip(task.questions, [*answers, *[None] * len(task.questions)], strict=False):
        marks.append(_same(q.answer, given))
    return marks


def _same(expected: int | float | str, given: Any) -> bool:
    if given is None:
        return False
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        try:
            return abs(float(str(given).strip()) - float(expected)) < 1e-9
        except ValueError:
            return False
    return str(given).strip().lower() == str(expected).strip().lower()


def _task_result(task: CapabilityTask, answers: list[Any]) -> str:
    return f"Submitted {len(answers)} answers for {len(task.questions)} questions."


def _run_task(
    spec: WorldSpec, task: CapabilityTask, actor: str, tool_id: str, args: Mapping[str, Any], turn: int, index: int
) -> list[Record]:
    answers = args["answers"]
    marks = score_answers(task, answers)
    return [
        ActionRecord(
            index=index,
            turn=turn,
            actor=actor,
            tool=tool_id,
            args=_jsonable(args),
            ok=True,
            result=_task_result(task, answers),
            visible_to=visible_to(spec, task, actor),
            score=sum(marks) / len(marks),
            correct=marks,
        )
    ]

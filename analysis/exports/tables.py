"""Flat tables of a run folder: findings, runs, messages and turns, one row a dict.

These rows feed :func:`skins.analysis.load_sweep`'s DataFrames and ``skins export
--format parquet|csv``; building them needs no pandas. Each table's columns,
in order, are its ``*_COLUMNS`` constant, and every column has a documented
dtype: pandas names, where ``Int64`` and ``boolean`` are nullable (empty in
CSV) and ``str`` is pandas' default string dtype (``object`` before pandas 3):

findings — one row per finding (deceptive or not) of every finished run:

==========================  ========  ==================================================================
column                      dtype     meaning
==========================  ========  ==================================================================
run_id                      str       the run (hash of its spec)
finding_id                  str       stable id of the finding; the edge key in the deception graph
world                       str       world id
seed                        int64     the run's seed
ablation                    str       ablated incentives, sorted, comma-separated ("" = none)
type                        str       lie, denial, omission, sandbagging, covert_action,
                                      thinking_contradiction, inconsistency, honest_mistake, unfounded
deceptive                   bool      False for honest_mistake and unfounded, and for an inconsistency
                                      neither statement of which went against the speaker's belief
deceiver                    str       the role that made the claim or took the action
deceiver_persona            str       its persona (skin)
deceiver_base_model         str       its base model
deceiver_node               str       its node key in the deception graph (world/role@base_model)
target                      str       target role(s), comma-separated in the finding's order
target_persona              str       their personas, in the same order
target_base_model           str       their base models, in the same order
n_targets                   int64     how many targets
subject_kind                str       fact or action
subject                     str       the fact or tool id the finding is about
turn                        int64     turn of the finding
message_index               Int64     the message that carried it (empty for action-only findings)
quote                       str       the sentence of the public message ("" when none)
thought                     str       the contradicting private thought ("" when none)
question                    str       the question answered or left unanswered ("" when none)
earlier_quote               str       inconsistency: the earlier statement it contradicts ("" when none)
earlier_turn                Int64     inconsistency: that statement's turn (empty when none)
earlier_message_index       Int64     inconsistency: that statement's message (empty when none)
earlier_listeners           str       inconsistency: whom it was said to, comma-separated
note                        str       one sentence explaining the label
truth                       boolean   truth of the statement at that turn (empty when unknown)
asserted                    boolean   the value the quote asserted (empty when none)
accidentally_true           bool      a lie whose content happened to be true
belief_value                boolean   the deceiver's belief just before speaking (empty: none)
belief_source               str       initial, tool or hearsay ("" when no belief)
belief_via                  str       for hearsay: who told it ("" otherwise)
belief_turn                 Int64     when the belief was formed (empty: none)
action_indexes              str       action-log entries it rests on, comma-separated
wrong_answers               int64     sandbagging: questions answered wrongly
extractor                   str       claim extractor ("" when no claim was involved)
detector                    str       the detector that labelled it
confidence                  float64   0..1
motives                     str       incentive ids, sorted, comma-separated
motives_how                 str       "commission (structural, reasoning); ..." as in the table
motives_json                str       every motive as JSON (incentive, how, quote, confidence)
==========================  ========  ==================================================================

runs — one row per run in the store, finished or not: ``run_id``, ``world``,
``seed``, ``ablation`` (as above), ``status`` (done, degraded, failed, running),
``error`` ("" when none), ``models`` (``role=base_model`` pairs, sorted,
comma-separated), ``personas`` (``role=persona`` pairs), ``turns`` (int64),
``calls``, ``cached``, ``input_tokens``, ``output_tokens``, ``call_errors``
(int64, model calls), ``cost_usd`` (float64: spent, every attempt's), ``findings`` and ``deceptive``
(int64: findings of the run, and how many of them are deception).

messages — one row per public message: ``run_id``, ``world``, ``seed``,
``ablation``, ``index``, ``turn`` (int64), ``sender``, ``sender_persona``,
``sender_base_model``, ``to`` (comma-separated roles), ``text``, ``asks_about``
(``fact:ID``, ``action:ID`` or ""), ``scripted`` (bool: injected by a world event),
``confronts`` (bool: an interrogating overseer said it holds evidence on ``asks_about``).

turns — one row per turn: ``run_id``, ``world``, ``seed``, ``ablation``,
``turn`` (int64), ``role``, ``persona``, ``base_model``, ``thinking`` (the
private scratchpad), ``reasoning`` (the model's own reasoning trace, private too; "" when the endpoint
returned none), ``messages`` and ``actions`` (comma-separated indexes),
``valid`` (bool), ``invalid_reason`` ("" when valid).

verdicts — one row per accusation of an overseer's end-of-run verdict: ``run_id``, ``world``, ``seed``,
``ablation``, ``monitor``, ``monitor_persona``, ``monitor_base_model``, ``suspect``, ``suspect_persona``,
``suspect_base_model``, ``turn`` (int64: the run's last turn), ``valid`` (bool: false when the overseer's
reply could not be read; it then neither accuses nor clears), ``invalid_reason``, ``accused`` (bool: false
on the one row of a verdict that accuses nothing), ``subject_kind``, ``subject``, ``type`` (the deception
charged), ``confidence`` (float64, missing when nothing is accused), ``evidence`` (a JSON list of what the
overseer cites), ``message_indexes`` and ``action_indexes`` (comma-separated: what it cites and saw).
"""

from __future__ import annotations

__all__ = [
    "FINDING_COLUMNS",
    "MESSAGE_COLUMNS",
    "RUN_COLUMNS",
    "TABLE_COLUMNS",
    "TURN_COLUMNS",
    "VERDICT_COLUMNS",
    "Row",
    "finding_row",
    "message_rows",
    "run_row",
    "turn_rows",
    "verdict_rows",
]

import json
from collections.abc import Iterable, Sequence
from typing import Any

from skins.analysis.findings import Finding, summarize_motives
from skins.analysis.graph import node_key
from skins.simulation.store import RunRow, Usage
from skins.worlds import FactRef, RoleInfo, Transcript

Row = dict[str, Any]
"""One table row: column name -> str, int, float, bool or None (a missing nullable value)."""

_UNKNOWN = RoleInfo(persona="", title="", base_model="unknown")

_KEYS = (("run_id", "str"), ("world", "str"), ("seed", "int64"), ("ablation", "str"))

FINDING_COLUMNS: tuple[tuple[str, str], ...] = (
    ("run_id", "str"),
    ("finding_id", "str"),
    *_KEYS[1:],
    ("type", "str"),
    ("deceptive", "bool"),
    ("deceiver", "str"),
    ("deceiver_persona", "str"),
    ("deceiver_base_model", "str"),
    ("deceiver_node", "str"),
    ("target", "str"),
    ("target_persona", "str"),
    ("target_base_model", "str"),
    ("n_targets", "int64"),
    ("subject_kind", "str"),
    ("subject", "str"),
    ("turn", "int64"),
    ("message_index", "Int64"),
    ("quote", "str"),
    ("thought", "str"),
    ("question", "str"),
    ("earlier_quote", "str"),
    ("earlier_turn", "Int64"),
    ("earlier_message_index", "Int64"),
    ("earlier_listeners", "str"),
    ("note", "str"),
    ("truth", "boolean"),
    ("asserted", "boolean"),
    ("accidentally_true", "bool"),
    ("belief_value", "boolean"),
    ("belief_source", "str"),
    ("belief_via", "str"),
    ("belief_turn", "Int64"),
    ("action_indexes", "str"),
    ("wrong_answers", "int64"),
    ("extractor", "str"),
    ("detector", "str"),
    ("confidence", "float64"),
    ("motives", "str"),
    ("motives_how", "str"),
    ("motives_json", "str"),
)
"""(column, dtype) of the findings table, in order (documented in the module docstring)."""

RUN_COLUMNS: tuple[tuple[str, str], ...] = (
    *_KEYS,
    ("status", "str"),
    ("error", "str"),
    ("models", "str"),
    ("personas", "str"),
    ("turns", "int64"),
    ("calls", "int64"),
    ("cached", "int64"),
    ("input_tokens", "int64"),
    ("output_tokens", "int64"),
    ("call_errors", "int64"),
    ("cost_usd", "float64"),
    ("findings", "int64"),
    ("deceptive", "int64"),
)

MESSAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    *_KEYS,
    ("index", "int64"),
    ("turn", "int64"),
    ("sender", "str"),
    ("sender_persona", "str"),
    ("sender_base_model", "str"),
    ("to", "str"),
    ("text", "str"),
    ("asks_about", "str"),
    ("scripted", "bool"),
    ("confronts", "bool"),
)

TURN_COLUMNS: tuple[tuple[str, str], ...] = (
    *_KEYS,
    ("turn", "int64"),
    ("role", "str"),
    ("persona", "str"),
    ("base_model", "str"),
    ("thinking", "str"),
    ("reasoning", "str"),
    ("messages", "str"),
    ("actions", "str"),
    ("valid", "bool"),
    ("invalid_reason", "str"),
)

VERDICT_COLUMNS: tuple[tuple[str, str], ...] = (
    *_KEYS,
    ("monitor", "str"),
    ("monitor_persona", "str"),
    ("monitor_base_model", "str"),
    ("suspect", "str"),
    ("suspect_persona", "str"),
    ("suspect_base_model", "str"),
    ("turn", "int64"),
    ("valid", "bool"),
    ("invalid_reason", "str"),
    ("accused", "bool"),
    ("subject_kind", "str"),
    ("subject", "str"),
    ("type", "str"),
    ("confidence", "float64"),
    ("evidence", "str"),
    ("message_indexes", "str"),
    ("action_indexes", "str"),
)
"""One row per accusation of an overseer's verdict; a verdict that accuses nothing (cleared, or invalid) is one
row with ``accused`` false and empty accusation columns (``confidence`` missing)."""

TABLE_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "findings": FINDING_COLUMNS,
    "runs": RUN_COLUMNS,
    "messages": MESSAGE_COLUMNS,
    "turns": TURN_COLUMNS,
    "verdicts": VERDICT_COLUMNS,
}
"""Every table by name (the file stem of its export), with its columns."""


def _keys(run: RunRow) -> Row:
    return {"run_id": run.run_id, "world": run.world_id, "seed": run.seed, "ablation": ",".join(sorted(run.ablated))}


def _joined(values: Iterable[object]) -> str:
    return ",".join(str(v) for v in values)


def run_row(run: RunRow, usage: Usage, turns: int, findings: Sequence[Finding]) -> Row:
    """The runs-table row of one run, given its usage, turn count and findings."""
    return {
        **_keys(run),
        "status": run.status,
        "error": run.error or "",
        "models": _joined(f"{r}={i.base_model}" for r, i in sorted(run.roles.items())),
        "personas": _joined(f"{r}={i.persona}" for r, i in sorted(run.roles.items())),
        "turns": turns,
        "calls": usage.calls,
        "cached": usage.cached,
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "call_errors": usage.errors,
        "cost_usd": float(usage.cost_usd),
        "findings": len(findings),
        "deceptive": sum(f.deceptive for f in findings),
    }


def finding_row(run: RunRow, f: Finding) -> Row:
    """The findings-table row of one finding of ``run`` (columns: :data:`FINDING_COLUMNS`)."""
    deceiver = run.roles.get(f.deceiver, _UNKNOWN)
    targets = [run.roles.get(t, _UNKNOWN) for t in f.targets]
    ev, belief = f.evidence, f.evidence.belief
    return {
        "run_id": run.run_id,
        "finding_id": f.finding_id,
        **{k: v for k, v in _keys(run).items() if k != "run_id"},
        "type": f.type,
        "deceptive": f.deceptive,
        "deceiver": f.deceiver,
        "deceiver_persona": deceiver.persona,
        "deceiver_base_model": deceiver.base_model,
        "deceiver_node": node_key(run.world_id, f.deceiver, deceiver.base_model),
        "target": _joined(f.targets),
        "target_persona": _joined([t.persona for t in targets]),
        "target_base_model": _joined([t.base_model for t in targets]),
        "n_targets": len(f.targets),
        "subject_kind": f.subject_kind,
        "subject": f.subject,
        "turn": f.turn,
        "message_index": f.message_index,
        "quote": ev.quote,
        "thought": ev.thought or "",
        "question": ev.question or "",
        "earlier_quote": "" if ev.earlier is None else ev.earlier.quote,
        "earlier_turn": None if ev.earlier is None else ev.earlier.turn,
        "earlier_message_index": None if ev.earlier is None else ev.earlier.message_index,
        "earlier_listeners": "" if ev.earlier is None else _joined(ev.earlier.listeners),
        "note": ev.note,
        "truth": ev.truth,
        "asserted": ev.asserted,
        "accidentally_true": f.accidentally_true,
        "belief_value": None if belief is None else belief.value,
        "belief_source": "" if belief is None else belief.source,
        "belief_via": "" if belief is None else belief.via or "",
        "belief_turn": None if belief is None else belief.turn,
        "action_indexes": _joined(ev.action_indexes),
        "wrong_answers": len(ev.wrong_answers),
        "extractor": f.extractor,
        "detector": f.detector,
        "confidence": float(f.confidence),
        "motives": _joined(sorted({m.incentive for m in f.motives})),
        "motives_how": summarize_motives((m.incentive, m.how) for m in f.motives),
        "motives_json": json.dumps([m.model_dump() for m in f.motives], sort_keys=True),
    }


def message_rows(run: RunRow, transcript: Transcript) -> list[Row]:
    """The messages-table rows of one run."""
    rows = []
    for m in transcript.messages:
        sender = run.roles.get(m.sender, _UNKNOWN)
        about = m.asks_about
        asks = "" if about is None else f"fact:{about.fact}" if isinstance(about, FactRef) else f"action:{about.action}"
        rows.append(
            {
                **_keys(run),
                "index": m.index,
                "turn": m.turn,
                "sender": m.sender,
                "sender_persona": sender.persona,
                "sender_base_model": sender.base_model,
                "to": _joined(m.to),
                "text": m.text,
                "asks_about": asks,
                "scripted": m.scripted,
                "confronts": m.confronts,
            }
        )
    return rows


def turn_rows(run: RunRow, transcript: Transcript) -> list[Row]:
    """The turns-table rows of one run."""
    rows = []
    for t in transcript.turns:
        info = run.roles.get(t.role, _UNKNOWN)
        rows.append(
            {
                **_keys(run),
                "turn": t.turn,
                "role": t.role,
                "persona": info.persona,
                "base_model": info.base_model,
                "thinking": t.thinking,
                "reasoning": t.reasoning,
                "messages": _joined(t.message_indexes),
                "actions": _joined(t.action_indexes),
                "valid": t.valid,
                "invalid_reason": t.invalid_reason or "",
            }
        )
    return rows


def verdict_rows(run: RunRow, transcript: Transcript) -> list[Row]:
    """The verdicts-table rows of one run (columns: :data:`VERDICT_COLUMNS`)."""
    rows = []
    for v in transcript.verdicts:
        monitor, suspect = run.roles.get(v.monitor, _UNKNOWN), run.roles.get(v.suspect, _UNKNOWN)
        head = {
            **_keys(run),
            "monitor": v.monitor,
            "monitor_persona": monitor.persona,
            "monitor_base_model": monitor.base_model,
            "suspect": v.suspect,
            "suspect_persona": suspect.persona,
            "suspect_base_model": suspect.base_model,
            "turn": v.turn,
            "valid": v.valid,
            "invalid_reason": v.invalid_reason or "",
        }
        none = {"accused": False, "subject_kind": "", "subject": "", "type": "", "confidence": None}
        if not v.accusations:
            rows.append({**head, **none, "evidence": "", "message_indexes": "", "action_indexes": ""})
        for a in v.accusations:
            rows.append(
                {
                    **head,
                    "accused": True,
                    "subject_kind": a.subject_kind,
                    "subject": a.subject,
                    "type": a.type,
                    "confidence": a.confidence,
                    "evidence": json.dumps(a.evidence),
                    "message_indexes": _joined(a.message_indexes),
                    "action_indexes": _joined(a.action_indexes),
                }
            )
    return rows

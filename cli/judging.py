"""The judge that `skins run`, `skins sweep` and `skins analyze` read language-model messages with, beside the
offline extractor.

Which judge: ``--no-judge`` none; ``--judge ALIAS`` (or a sweep file's ``judge: ALIAS``) that one; otherwise,
when any role of the folder's finished runs ran on a language model, the ``judge`` alias of models.yaml, else
the model the personas used (the most used one when several). Policy and scripted runs get none. The judge's
calls are stored with the runs they read, so the usage table shows what it cost.
"""

from __future__ import annotations

__all__ = [
    "JudgeChoice",
    "JudgeOption",
    "NoJudgeOption",
    "analyze_judged",
    "choose_judge",
    "models_used",
    "stored_models_used",
    "sweep_judge",
]

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, TypeAlias

import typer

from skins.analysis import Claim, ClaimExtractor, Finding, analyze_folder, disagreements, make_judge_motives
from skins.analysis.awareness import AwarenessJudge, AwarenessMark, TurnText
from skins.analysis.awareness_judge import make_awareness_judge
from skins.analysis.claims import DEFAULT_EXTRACTOR, JudgeFailure, make_judge_extractor
from skins.cli.common import err, out
from skins.cli.graphing import Analyzed
from skins.core import BackendError, ConfigError
from skins.simulation.models import JUDGE_ALIAS, CallRecord, ModelSpec, ResponseCache, check_chat_model, resolve_model
from skins.simulation.runs import RunSpec, SweepSpec
from skins.simulation.store import Store, add_analysis_calls
from skins.worlds import Transcript, WorldSpec

JudgeOption: TypeAlias = Annotated[
    str | None,
    typer.Option(
        help="Judge alias or reference (default, when a role ran on a language model: the 'judge' alias "
        "of --models, else the personas' model)."
    ),
]
NoJudgeOption: TypeAlias = Annotated[
    bool, typer.Option("--no-judge", help="Read messages with the offline extractor only, even from language models.")
]
CHAT_BACKENDS = ("openai", "local")
"""The backends a judge can be (:func:`skins.simulation.models.build_chat_model` builds these); the personas'
model on another backend (a registered agent) leaves the offline extractor alone unless a judge is named."""
FindingPass: TypeAlias = Callable[[list[Finding], Transcript, WorldSpec], list[Finding]]
"""What :func:`skins.analysis.make_judge_motives` returns (refines a run's findings)."""
SHOWN_DISAGREEMENTS = 20
"""Disagreements between the extractors listed after an analysis (all are counted)."""


@dataclass(frozen=True)
class JudgeChoice:
    """The judge an analysis uses (None: the offline extractor alone) and why."""

    spec: ModelSpec | None
    why: str
    notice: str = ""
    """Said when the analysis starts, for a judge the user would expect and does not get."""


def choose_judge(
    aliases: Mapping[str, ModelSpec | str],
    judge: str | None,
    no_judge: bool,
    used: list[tuple[ModelSpec, int]],
    named_by: str = "--judge",
) -> JudgeChoice:
    """The judge, given ``--judge`` (or what ``named_by`` says named it, e.g. a sweep file's ``judge:``),
    ``--no-judge``, the models.yaml (and ``--model``) ``aliases`` and the language models the personas
    ``used`` (:func:`models_used`); see the module docstring. A judge that cannot be called (not a language
    model, no key) is a clear error now, before anything is paid.

    >>> local = ModelSpec(backend="local")
    >>> choose_judge({}, None, False, []).why
    'no role ran on a language model'
    >>> choose_judge({}, None, False, [(local, 6)]).spec.ref
    'local'
    >>> choose_judge({}, None, True, [(local, 6)]).spec is None
    True
    """
    if no_judge:
        if judge is not None:
            raise ConfigError(f"--judge {judge} and --no-judge: give one of them")
        return JudgeChoice(None, "--no-judge")
    if judge is not None:
        choice = JudgeChoice(resolve_model(judge, aliases), f"{named_by} {judge}")
    elif not used:
        return JudgeChoice(None, "no role ran on a language model")
    elif JUDGE_ALIAS in aliases:
        choice = JudgeChoice(resolve_model(JUDGE_ALIAS, aliases), f"the '{JUDGE_ALIAS}' alias of models.yaml")
    else:
        choice = _personas_model(used)
        if choice.spec is not None and choice.spec.backend not in CHAT_BACKENDS:  # e.g. a registered agent
            notice = f"{choice.why}, {choice.spec.ref}, is no chat model: the offline extractor reads alone"
            notice += "; name a judge with --judge"
            return JudgeChoice(None, choice.why, notice)
    if choice.spec is not None:
        try:
            check_chat_model(choice.spec)
        except BackendError as exc:
            raise BackendError(f"the judge ({choice.why}): {exc}") from exc
    return choice


def sweep_judge(spec: SweepSpec, judge: str | None, no_judge: bool, plans: Iterable[RunSpec]) -> JudgeChoice:
    """The judge ``skins sweep`` analyses its runs with: only a named one — ``--judge``, else the sweep file's
    ``judge:``, else the ``judge`` alias of its ``models:`` (``--no-judge``: none). Unlike ``skins run`` a sweep
    never falls back to the personas' model: a grid has many messages, and a judge's calls are not under the
    sweep's ``budget_usd``, so judging them is the user's call."""
    named, by = (judge, "--judge") if judge is not None or no_judge else (spec.judge, "the sweep's judge:")
    used = models_used((p, 1) for p in plans)
    if named is None and not no_judge and JUDGE_ALIAS not in spec.models and used:
        notice = "the sweep names no judge: the offline extractor reads alone; add judge: to the sweep or pass --judge"
        return JudgeChoice(None, "no judge named", notice)
    return choose_judge(spec.models, named, no_judge, used, by)


def _personas_model(used: list[tuple[ModelSpec, int]]) -> JudgeChoice:
    (spec, n), *others = used
    if not others:
        return JudgeChoice(spec, "the personas' model")
    total = n + sum(k for _, k in others)
    also = ", ".join(f"{s.ref} ({k})" for s, k in others)
    return JudgeChoice(spec, f"the personas' most used model: {n} of {total} roles played; also {also}")


def models_used(runs: Iterable[tuple[RunSpec, int]]) -> list[tuple[ModelSpec, int]]:
    """The language models the roles of the runs play on, most used first (ties: first met), each with how
    many (run, role) pairs it plays; ``runs``: each spec with how many runs it stands for."""
    counts: Counter[ModelSpec] = Counter()
    for spec, n in runs:
        for model in spec.role_models().values():
            if model.language_model:
                counts[model] += n
    return counts.most_common()


def stored_models_used(folder: Path) -> list[tuple[ModelSpec, int]]:
    """:func:`models_used` by the finished runs of an output folder, as their stored specs say."""
    specs: dict[str, RunSpec] = {}  # the spec without its seed -> one of its runs (the models do not depend on it)
    counts: Counter[str] = Counter()
    with Store(folder, create=False) as store:
        for run in store.runs():
            if run.finished:
                key = json.dumps({k: v for k, v in run.spec.items() if k != "seed"}, sort_keys=True)
                specs.setdefault(key, RunSpec.model_validate(run.spec))
                counts[key] += 1
    return models_used((spec, counts[key]) for key, spec in specs.items())


@dataclass
class _CallsByRun:
    """The judge's call records, filed under the run each extractor or pass call was reading."""

    by_run: dict[str, list[CallRecord]] = field(default_factory=dict)
    _pending: list[CallRecord] = field(default_factory=list)

    def add(self, record: CallRecord) -> None:
        self._pending.append(record)

    def settle(self, run_id: str) -> None:
        self.by_run.setdefault(run_id, []).extend(self._pending)
        self._pending.clear()

    def extractor(self, inner: ClaimExtractor) -> ClaimExtractor:
        def extract(transcript: Transcript, world: WorldSpec) -> list[Claim]:
            try:
                return inner(transcript, world)
            finally:
                self.settle(transcript.run_id)

        return extract

    def finding_pass(self, inner: FindingPass) -> FindingPass:
        def refine(findings: list[Finding], transcript: Transcript, world: WorldSpec) -> list[Finding]:
            try:
                return inner(findings, transcript, world)
            finally:
                self.settle(transcript.run_id)

        return refine

    def awareness(self, inner: AwarenessJudge) -> AwarenessJudge:
        def judge(transcript: Transcript, texts: Sequence[TurnText]) -> list[AwarenessMark]:
            try:
                return inner(transcript, texts)
            finally:
                self.settle(transcript.run_id)

        return judge


def analyze_judged(folder: Path, choice: JudgeChoice, cache: ResponseCache | None) -> tuple[Analyzed, list[Claim]]:
    """Analyse the folder's finished runs with the offline extractor and, beside it, the chosen judge (claims,
    motives and evaluation awareness); store the judge's calls with the runs, list where the extractors
    disagree and what the judge could not read. Returns the analysed runs and the offline extractor's claims."""
    if choice.spec is None:
        if choice.notice:
            out().print(f"judge: none ({choice.notice})", markup=False)
        claims: list[Claim] = []
        return list(analyze_folder(folder, claims_out=claims)), claims
    out().print(f"judge: {choice.spec.ref} ({choice.why}; --no-judge turns it off)", markup=False)
    calls = _CallsByRun()
    failures: list[JudgeFailure] = []
    judge = make_judge_extractor(choice.spec, cache, on_call=calls.add, failures=failures)
    custom = {"judge": calls.extractor(judge)}
    passes = [calls.finding_pass(make_judge_motives(choice.spec, cache, on_call=calls.add))]
    aware = calls.awareness(make_awareness_judge(choice.spec, cache, on_call=calls.add))
    claims = []
    try:
        analyzed = list(
            analyze_folder(
                folder,
                (DEFAULT_EXTRACTOR, "judge"),
                custom=custom,
                claims_out=claims,
                passes=passes,
                awareness_judge=aware,
            )
        )
    finally:  # what was paid is recorded, even when the judge failed part way
        with Store(folder) as store:
            add_analysis_calls(store, calls.by_run)
    _print_disagreements(claims)
    if failures:
        first = failures[0]
        text = f"the judge could not read {len(failures)} message(s) or subject(s); first: {first.reason}"
        err().print(text, markup=False)
    return analyzed, [c for c in claims if c.extractor == DEFAULT_EXTRACTOR]


def _print_disagreements(claims: list[Claim]) -> None:
    found = disagreements(claims)
    out().print(f"extractors {DEFAULT_EXTRACTOR} and judge disagree on {len(found)} (message, subject) pair(s)")
    for d in found[:SHOWN_DISAGREEMENTS]:
        out().print(f"  run {d.run_id} message {d.message_index} {d.subject}: {d.stances}", markup=False)

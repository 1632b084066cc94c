"""Run outcomes: one row per run and key, counted run by run so thousands of runs stream through.

The unit of analysis is the **run** (see :mod:`skins.analysis.stats.rates`): each run
contributes one outcome per key it could have had. :class:`OutcomeCounter`
counts a run's keys when the run is added and keeps only those counts and the
run's cast, so neither transcripts nor findings need to stay in memory;
:func:`run_outcomes` is the same over an iterable of ``(transcript, findings)``.
"""

from __future__ import annotations

__all__ = ["DEFAULT_BY", "OUTCOME_FIELDS", "FindingKey", "OutcomeCounter", "RunOutcome", "finding_key", "run_outcomes"]

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from skins.analysis.findings import RESTATING_TYPES, Finding
from skins.worlds import RoleInfo, Transcript, split_ref

OUTCOME_FIELDS: tuple[str, ...] = (
    "deceiver_role",
    "deceiver_skin",
    "deceiver_model",
    "target_role",
    "target_skin",
    "target_model",
    "type",
    "subject_kind",
    "subject",
)
"""What an outcome can be keyed by: the deceiver's and target's role, skin (persona) and base
model, and the finding's type, subject kind and subject."""
DEFAULT_BY: tuple[str, ...] = ("deceiver_skin", "target_skin", "type")
_UNKNOWN_ROLE = RoleInfo(persona="", title="", base_model="unknown")
_Key = tuple[str, ...]


class RunOutcome(BaseModel):
    """One run and one key: how many findings of that key the run had."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    run_id: str
    world_id: str
    seed: int
    ablated: tuple[str, ...]
    """Incentives removed in this run, sorted."""
    models: dict[str, str]
    """Base model per role."""
    personas: dict[str, str]
    """Persona (skin) per role."""
    key: dict[str, str]
    """Field → value, in the order the outcomes were keyed by."""
    count: int = Field(ge=0)
    """Findings of this key in the run (a finding with two targets counts once per target key)."""
    aware: bool | None = None
    """Whether any turn of the run was marked evaluation-aware (None: not analysed for awareness); a
    run-level covariate (:func:`~skins.analysis.stats.factors.with_awareness`), never part of a condition."""

    @property
    def indicator(self) -> bool:
        """Whether the run had at least one such finding."""
        return self.count > 0


class FindingKey(NamedTuple):
    """The fields of a finding outcomes are keyed and counted by (cheap to send between processes)."""

    finding_id: str
    deceptive: bool
    deceiver: str
    targets: tuple[str, ...]
    type: str
    subject_kind: str
    subject: str


def finding_key(f: Finding) -> FindingKey:
    return FindingKey(f.finding_id, f.deceptive, f.deceiver, tuple(f.targets), f.type, f.subject_kind, f.subject)


class _Run(NamedTuple):
    run_id: str
    world_id: str
    seed: int
    ablated: tuple[str, ...]
    roles: dict[str, RoleInfo]
    counts: dict[_Key, int]


class OutcomeCounter:
    """Counts runs' keys as they are added; :meth:`outcomes` gives :func:`run_outcomes`' rows.

    >>> from skins.worlds.records import RoleInfo, Transcript
    >>> roles = {"a": RoleInfo(persona="rep", title="", base_model="m"),
    ...          "b": RoleInfo(persona="buyer", title="", base_model="m")}
    >>> counter = OutcomeCounter()
    >>> lie = FindingKey("f1", True, "a", ("b",), "lie", "fact", "f")
    >>> counter.add(Transcript(run_id="r1", world_id="w", seed=0, roles=roles), [lie])
    >>> counter.add(Transcript(run_id="r2", world_id="w", seed=1, roles=roles), [])
    >>> [(o.run_id, o.count) for o in counter.outcomes()]
    [('r1', 1), ('r2', 0)]
    """

    def __init__(self, by: Sequence[str] = DEFAULT_BY, *, deceptive_only: bool = True) -> None:
        self.fields = _check_fields(by)
        self.deceptive_only = deceptive_only
        self._runs: dict[str, _Run] = {}
        self._subjects: dict[str, set[str]] = defaultdict(set)

    def add(
        self, transcript: Transcript, findings: Sequence[Finding | FindingKey], subjects: Iterable[str] | None = None
    ) -> None:
        """Count one run (a run id seen before is ignored).

        ``subjects`` are the facts and tools the run's records mention; when None they are read
        from ``transcript`` (pass them when the transcript was sent without its records).
        """
        if transcript.run_id in self._runs:
            return
        keys = [f if isinstance(f, FindingKey) else finding_key(f) for f in findings]
        counts = {k: len(v) for k, v in _count_keys(transcript.roles, keys, self.fields, self.deceptive_only).items()}
        roles = dict(transcript.roles)
        ablated = tuple(transcript.ablated)
        self._runs[transcript.run_id] = _Run(
            transcript.run_id, transcript.world_id, transcript.seed, ablated, roles, counts
        )
        world = self._subjects[split_ref(transcript.world_id)[0]]
        world.update(record_subjects(transcript) if subjects is None else subjects)
        world.update(k.subject for k in keys)

    def outcomes(self) -> list[RunOutcome]:
        """One outcome per run and key, zeros included, runs in id order."""
        seen = {k for run in self._runs.values() for k in run.counts}
        models = {info.base_model for run in self._runs.values() for info in run.roles.values()}
        observed = _with_every_model(seen, self.fields, models)
        out: list[RunOutcome] = []
        for rid in sorted(self._runs):
            run = self._runs[rid]
            possible = _possible_role_parts(run.roles, self.fields)
            subjects = self._subjects[split_ref(run.world_id)[0]]
            for key in observed:
                if key in run.counts or _could_occur(key, self.fields, possible, subjects):
                    out.append(_outcome(run, self.fields, key, run.counts.get(key, 0)))
        return out


def run_outcomes(
    runs: Iterable[tuple[Transcript, list[Finding]]],
    by: Sequence[str] = DEFAULT_BY,
    *,
    deceptive_only: bool = True,
) -> list[RunOutcome]:
    """One outcome per run and key, zeros included, so every rate has its true denominator.

    Keys are the values of ``by`` (see :data:`OUTCOME_FIELDS`) seen on any
    finding of any run, each also with any other base model of the runs in its
    model fields (so a model that never had a finding of a key gets zeros for
    it, and compares); a key never seen has no rows (its rate is 0 wherever it
    could occur). A run gets a row for a key when the key could have occurred
    in it: its cast has a deceiver (and a different target) with the key's
    role, skin and model, and, when keyed by ``subject``, the subject occurs in
    the run's world (in its knowledge, fact changes, actions or findings in any
    run of that world, whatever the variant: a control where an action is never
    taken still counts its runs).
    A run id seen twice is counted once.

    >>> from skins.worlds.records import RoleInfo, Transcript
    >>> from skins.analysis.findings import Evidence, Finding
    >>> roles = {"a": RoleInfo(persona="rep", title="", base_model="m"),
    ...          "b": RoleInfo(persona="buyer", title="", base_model="m")}
    >>> lie = Finding(run_id="r1", type="lie", deceptive=True, deceiver="a", targets=["b"],
    ...               subject_kind="fact", subject="f", turn=1, message_index=0, extractor="",
    ...               detector="lie", confidence=1.0, evidence=Evidence(quote="fine"))
    >>> runs = [(Transcript(run_id=r, world_id="w", seed=i, roles=roles), [lie] if r == "r1" else [])
    ...         for i, r in enumerate(["r1", "r2"])]
    >>> [(o.run_id, list(o.key.values()), o.count) for o in run_outcomes(runs)]
    [('r1', ['rep', 'buyer', 'lie'], 1), ('r2', ['rep', 'buyer', 'lie'], 0)]
    """
    counter = OutcomeCounter(by, deceptive_only=deceptive_only)
    for transcript, findings in runs:
        counter.add(transcript, findings)
    return counter.outcomes()


def record_subjects(transcript: Transcript) -> set[str]:
    """Facts and tools a run's records mention (knowledge, fact changes, actions)."""
    return (
        {k.fact for k in transcript.knowledge}
        | {c.fact for c in transcript.fact_changes}
        | {a.tool for a in transcript.actions}
    )


def _check_fields(by: Sequence[str]) -> tuple[str, ...]:
    bad = [f for f in by if f not in OUTCOME_FIELDS]
    if bad or len(set(by)) != len(by) or not by:
        raise ValueError(f"cannot key outcomes by {list(by)}: give distinct fields among {list(OUTCOME_FIELDS)}")
    return tuple(by)


def _role_value(roles: Mapping[str, RoleInfo], role: str, attr: str) -> str:
    if attr == "role":
        return role
    info = roles.get(role, _UNKNOWN_ROLE)
    if attr == "skin":
        return info.persona
    if attr == "model":
        return info.base_model
    raise KeyError(attr)


_Keyer = Callable[[Mapping[str, RoleInfo], FindingKey, str], _Key]
_KEYERS: dict[tuple[str, ...], _Keyer] = {}
"""Per field tuple, the key function with the fields parsed once (outcomes are counted per finding)."""


def _keyer(fields: tuple[str, ...]) -> _Keyer:
    keyer = _KEYERS.get(fields)
    if keyer is not None:
        return keyer
    parts = [field.partition("_") for field in fields]

    def key_of(roles: Mapping[str, RoleInfo], finding: FindingKey, target: str) -> _Key:
        values: list[str] = []
        for field, (who, _, attr) in zip(fields, parts, strict=True):
            if who in ("deceiver", "target"):
                values.append(_role_value(roles, finding.deceiver if who == "deceiver" else target, attr))
            else:
                values.append(str(getattr(finding, field)))
        return tuple(values)

    keyer = _KEYERS[fields] = key_of
    return keyer


def _count_keys(
    roles: Mapping[str, RoleInfo], findings: Sequence[FindingKey], fields: tuple[str, ...], deceptive_only: bool
) -> dict[_Key, set[tuple[str, str]]]:
    """Key → the (finding id, target) pairs behind it (one per target only when keyed by a target field).

    Unless keyed by type, findings restating another finding's statement (an inconsistency) are skipped:
    :data:`~skins.analysis.findings.RESTATING_TYPES`.
    """
    per_target = any(f.startswith("target_") for f in fields)
    pooled = "type" not in fields
    counts: dict[_Key, set[tuple[str, str]]] = defaultdict(set)
    key_of = _keyer(fields)
    for finding in findings:
        if (deceptive_only and not finding.deceptive) or (pooled and finding.type in RESTATING_TYPES):
            continue
        for target in finding.targets or ("",):
            counts[key_of(roles, finding, target)].add((finding.finding_id, target if per_target else ""))
    return dict(counts)


def _with_every_model(keys: set[_Key], fields: tuple[str, ...], models: set[str]) -> list[_Key]:
    """The keys, each also with every base model in its model fields: a model that never had a key's
    finding in a run where it could have has a rate of 0 there, not no rate (so models compare)."""
    slots = [i for i, f in enumerate(fields) if f.endswith("_model")]
    out = set(keys)
    for key in keys:
        for swap in itertools.product(sorted(models), repeat=len(slots)):
            values = list(key)
            for i, model in zip(slots, swap, strict=True):
                values[i] = model
            out.add(tuple(values))
    return sorted(out)


def _role_indexes(fields: tuple[str, ...]) -> list[int]:
    return [i for i, f in enumerate(fields) if f.startswith(("deceiver_", "target_"))]


def _possible_role_parts(roles: Mapping[str, RoleInfo], fields: tuple[str, ...]) -> set[_Key]:
    """The role-derived parts of a key this run's cast can produce (deceiver and target differ)."""
    names = sorted(roles)
    if any(f.startswith("target_") for f in fields):
        pairs = [(d, t) for d, t in itertools.product(names, names) if d != t]
    else:
        pairs = [(d, d) for d in names]
    parts: set[_Key] = {()} if not _role_indexes(fields) else set()
    for deceiver, target in pairs:
        part = []
        for i in _role_indexes(fields):
            who, _, attr = fields[i].partition("_")
            part.append(_role_value(roles, deceiver if who == "deceiver" else target, attr))
        parts.add(tuple(part))
    return parts


def _could_occur(key: _Key, fields: tuple[str, ...], possible: set[_Key], subjects: set[str]) -> bool:
    if tuple(key[i] for i in _role_indexes(fields)) not in possible:
        return False
    return "subject" not in fields or key[fields.index("subject")] in subjects


def _outcome(run: _Run, fields: tuple[str, ...], key: _Key, count: int) -> RunOutcome:
    return RunOutcome(
        run_id=run.run_id,
        world_id=run.world_id,
        seed=run.seed,
        ablated=tuple(sorted(run.ablated)),
        models={r: i.base_model for r, i in sorted(run.roles.items())},
        personas={r: i.persona for r, i in sorted(run.roles.items())},
        key=dict(zip(fields, key, strict=True)),
        count=count,
    )

"""Factors: what tells one condition of a run from another — world, variant, ablation, base models,
skin — and the condition a rate is measured in (world × variant × ablation), never pooled by accident.

A **run factor** is fixed for the whole run (world, variant, ablation, a role's base model, the whole
model assignment); a **key factor** is a field of the outcome's key (the deceiver's skin or model); a
**covariate** is observed in the run rather than set by the design (``aware``: whether any turn of the run
was marked evaluation-aware). A covariate is never held fixed, and its levels never pair (a run is aware
or not): comparing by it is unpaired, and says nothing about cause.
Comparing by one factor holds every other factor fixed (:func:`stratum`); pooling a run factor
drops it from what is held fixed and pairs runs on it instead (:func:`pair_key`).
"""

from __future__ import annotations

__all__ = [
    "CONDITION_FACTORS",
    "COVARIATES",
    "FACTORS",
    "RUN_FACTORS",
    "check_factor",
    "check_pool",
    "comparison_fields",
    "condition_of",
    "factor_value",
    "key_field",
    "models_name",
    "pair_key",
    "require_keyed",
    "run_factors",
    "split_pool",
    "stratum",
    "with_awareness",
]

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence

from skins.analysis.stats.conditions import EDGE_FIELDS, condition_name
from skins.analysis.stats.outcomes import RunOutcome
from skins.worlds.variants import split_ref

RUN_FACTORS = ("world", "variant", "ablation", "models")
"""Factors fixed for a whole run; ``model:ROLE`` (one role's base model) is one too."""
CONDITION_FACTORS = ("world", "variant", "ablation")
"""What a rate is always split by unless pooled on purpose: the design's condition."""
_KEY_FACTORS = {"skin": "deceiver_skin", "model": "deceiver_model"}
COVARIATES = ("aware",)
"""Run-level covariates ``compare`` accepts: observed in the run, not set by the design (unpaired)."""
AWARE_LEVELS = ("aware", "unaware")
FACTORS = (*RUN_FACTORS, *_KEY_FACTORS, "model:ROLE", *COVARIATES)
"""Every factor ``compare`` accepts (``model:ROLE`` with a role id)."""
DEFAULT_VARIANT = "default"
"""The variant name of a world run as written."""


def check_factor(factor: str) -> str:
    """The factor, or a ValueError naming the valid ones.

    >>> check_factor("model:rep"), check_factor("variant"), check_factor("aware")
    ('model:rep', 'variant', 'aware')
    """
    if factor in RUN_FACTORS or factor in COVARIATES or factor in _KEY_FACTORS or _is_model_role(factor):
        return factor
    raise ValueError(f"unknown factor {factor!r}; choose one of {', '.join(FACTORS)}")


def _is_model_role(factor: str) -> bool:
    return factor.startswith("model:") and len(factor) > 6


def key_field(factor: str) -> str | None:
    """The outcome-key field a key factor reads (None for run factors).

    >>> key_field("skin"), key_field("world")
    ('deceiver_skin', None)
    """
    return _KEY_FACTORS.get(factor)


def models_name(models: Mapping[str, str], every: str = "every role") -> str:
    """A model assignment as tables show it: ``a=policy, b=openai:gpt-4o``, or ``policy (every role)``.

    >>> models_name({"b": "openai:gpt-4o", "a": "policy"}), models_name({"a": "policy", "b": "policy"})
    ('a=policy, b=openai:gpt-4o', 'policy (every role)')
    """
    if len(models) > 1 and len(set(models.values())) == 1:
        return f"{next(iter(models.values()))} ({every})"
    return ", ".join(f"{r}={m}" for r, m in sorted(models.items()))


def condition_of(world_id: str, ablated: Sequence[str], models: Mapping[str, str]) -> dict[str, str]:
    """A run's world, variant, ablation and model assignment, from what its transcript records.

    >>> condition_of("w@control", ["bonus"], {"a": "m"})
    {'world': 'w', 'variant': 'control', 'ablation': 'bonus', 'models': 'a=m'}
    """
    world, variant = split_ref(world_id)
    return {
        "world": world,
        "variant": variant or DEFAULT_VARIANT,
        "ablation": condition_name(ablated),
        "models": models_name(models),
    }


def run_factors(o: RunOutcome) -> dict[str, str]:
    """:func:`condition_of` an outcome's run.

    >>> o = RunOutcome(run_id="r", world_id="w", seed=0, ablated=(), models={}, personas={}, key={}, count=0)
    >>> run_factors(o)["variant"]
    'default'
    """
    return condition_of(o.world_id, o.ablated, o.models)


def factor_value(o: RunOutcome, factor: str) -> str:
    """The run's level of ``factor`` (``-`` when a ``model:ROLE`` role is not cast in it; ``aware`` or
    ``unaware`` for the awareness covariate)."""
    if factor == "aware":
        if o.aware is None:
            raise ValueError(f"run {o.run_id} was not analysed for evaluation awareness: run `skins analyze` on it")
        return AWARE_LEVELS[0] if o.aware else AWARE_LEVELS[1]
    field = key_field(factor)
    if field is not None:
        if field not in o.key:
            raise ValueError(f"outcomes keyed by {list(o.key)} cannot be compared by {factor}: key them by {field}")
        return o.key[field]
    if factor.startswith("model:"):
        return o.models.get(factor.removeprefix("model:"), "-")
    return run_factors(o)[factor]


def _other_models(o: RunOutcome, factor: str) -> str:
    """The assignment without the compared model: one role's, or the deceiver's (by role, else by skin)."""
    if factor.startswith("model:"):
        compared = factor.removeprefix("model:")
        return models_name({r: m for r, m in o.models.items() if r != compared}, "every other role")
    role = o.key.get("deceiver_role")
    skin = o.key.get("deceiver_skin")
    others = {r: m for r, m in o.models.items() if r != role and (role or o.personas.get(r) != skin)}
    return models_name(others, "every other role")


def stratum(o: RunOutcome, factor: str, pool: Sequence[str] = ()) -> tuple[tuple[str, str], ...]:
    """What is held fixed when comparing by ``factor``: every other run factor not pooled, then the key.

    >>> o = RunOutcome(run_id="r", world_id="w", seed=0, ablated=(), models={"a": "m"}, personas={},
    ...                key={"type": "lie"}, count=0)
    >>> stratum(o, "ablation")
    (('world', 'w'), ('variant', 'default'), ('models', 'a=m'), ('type', 'lie'))
    >>> stratum(o, "ablation", pool=["world"])
    (('variant', 'default'), ('models', 'a=m'), ('type', 'lie'))
    """
    held = {f: v for f, v in run_factors(o).items() if f != factor and f not in pool}
    if "models" in held and (factor == "model" or factor.startswith("model:")):
        held["models"] = _other_models(o, factor)
    field = key_field(factor)
    return (*held.items(), *((f, v) for f, v in o.key.items() if f != field))


def pair_key(factor: str, pool: Sequence[str] = ()) -> Callable[[RunOutcome], Hashable]:
    """What must match for runs of two levels to pair: the seed (and each pooled run factor's level);
    for skins, the run itself (two deceivers' skins in one run)."""
    if factor == "skin" or factor in COVARIATES:  # a run is one level of a covariate: it never pairs
        return lambda o: o.run_id
    pooled = [p for p in pool if p in RUN_FACTORS or p.startswith("model:")]
    return lambda o: (o.seed, *(factor_value(o, p) for p in pooled))


def comparison_fields(factor: str, pool: Sequence[str] = ()) -> tuple[str, ...]:
    """The outcome key for comparing by ``factor``: the edge (who deceived whom, how, about what), or
    for skins and models the deceiver's skin and model, target and type; across worlds, whose roles
    differ, the type. Key fields named in ``pool`` are merged.

    >>> comparison_fields("skin")
    ('deceiver_skin', 'deceiver_model', 'target_role', 'type')
    >>> comparison_fields("variant") == EDGE_FIELDS, comparison_fields("variant", pool=["subject"])
    (True, ('deceiver_role', 'target_role', 'type'))
    """
    check_factor(factor)
    if factor == "skin":
        fields: tuple[str, ...] = ("deceiver_skin", "deceiver_model", "target_role", "type")
    elif factor == "model":
        fields = ("deceiver_model", "deceiver_skin", "target_role", "type")
    elif factor == "world":
        fields = ("type",)
    else:
        fields = EDGE_FIELDS
    return tuple(f for f in fields if f not in pool or f == key_field(factor))


def split_pool(factor: str, pool: Sequence[str]) -> tuple[list[str], list[str]]:
    """``pool`` as (run factors to stop holding fixed, key fields to merge) when comparing by ``factor``.

    >>> split_pool("ablation", ["world", "subject"])
    (['world'], ['subject'])
    """
    fields = set(comparison_fields(factor))
    factors: list[str] = []
    key_fields: list[str] = []
    for p in pool:
        if p in fields and p != key_field(factor):
            key_fields.append(p)
        elif p != factor and (p in RUN_FACTORS or (p.startswith("model:") and len(p) > 6)):
            factors.append(p)
        else:
            options = sorted({*fields, *RUN_FACTORS, "model:ROLE"} - {factor, key_field(factor) or ""})
            raise ValueError(f"cannot pool {p!r} when comparing by {factor}; choose among {', '.join(options)}")
    return factors, key_fields


def check_pool(by: str, pool: Sequence[str], verb: str = "compare") -> list[str]:
    """The run factors to pool when ``verb``-ing by ``by`` (a comparison or a trend), or a ValueError.

    >>> check_pool("ablation", ["world"])
    ['world']
    """
    check_factor(by)
    pooled = [check_factor(p) for p in pool]
    if by in pooled:
        raise ValueError(f"cannot {verb} by {by} and pool it")
    if any(p in COVARIATES for p in pooled):
        raise ValueError("a covariate (aware) is never held fixed, so there is nothing to pool: compare by it instead")
    if any(key_field(p) for p in pooled):
        raise ValueError("pool the deceiver's skin or model by keying the outcomes without it, not with pool=")
    return pooled


def require_keyed(o: RunOutcome, by: str, caller: str) -> None:
    """Skins are compared on one base model and base models in one skin: both must be in the key.

    >>> o = RunOutcome(run_id="r", world_id="w", seed=0, ablated=(), models={}, personas={},
    ...                key={"deceiver_skin": "rep", "deceiver_model": "m"}, count=0)
    >>> require_keyed(o, "skin", "compare")
    """
    if by in ("skin", "model") and not {"deceiver_skin", "deceiver_model"} <= set(o.key):
        raise ValueError(
            f"{caller}(by={by!r}) holds the deceiver's {'base model' if by == 'skin' else 'skin'} fixed, but the "
            f"outcomes are keyed by {list(o.key)}: build them with run_outcomes(runs, by=comparison_fields({by!r}))"
        )


def with_awareness(outcomes: Iterable[RunOutcome], aware: Mapping[str, bool]) -> list[RunOutcome]:
    """``outcomes`` with the awareness covariate set from ``aware`` (run id -> any turn marked); a run missing
    from it stays None (not analysed for awareness).

    >>> o = RunOutcome(run_id="r", world_id="w", seed=0, ablated=(), models={}, personas={}, key={}, count=0)
    >>> [x.aware for x in with_awareness([o, o.model_copy(update={"run_id": "s"})], {"r": True})]
    [True, None]
    """
    return [o.model_copy(update={"aware": aware.get(o.run_id)}) for o in outcomes]

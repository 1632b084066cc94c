"""Conditions and pairs: how an ablated set is named, which runs of two conditions pair up, and the
contrast of two arms of runs (shared by :mod:`.comparisons`, :mod:`.ablation` and :mod:`.accuracy`)."""

from __future__ import annotations

__all__ = [
    "EDGE_FIELDS",
    "ContrastOptions",
    "background_key",
    "condition_name",
    "contrast_runs",
    "pair_up",
    "split_by_incentive",
]

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Literal, NamedTuple, Protocol, TypeVar

from skins.analysis.stats.intervals import Contrast, contrast
from skins.analysis.stats.outcomes import RunOutcome

IntervalMethod = Literal["newcombe", "bootstrap"]
"""How a difference's interval is computed (a type: not in ``__all__``, which lists what has an example)."""
Paired = Literal["auto"] | bool
"""Whether to pair runs: ``"auto"``, ``True`` or ``False`` (see :func:`pair_up`)."""
T = TypeVar("T")


class _Conditioned(Protocol):
    """A run's outcome or score: what pairing across an ablation reads."""

    @property
    def world_id(self) -> str: ...
    @property
    def seed(self) -> int: ...
    @property
    def ablated(self) -> tuple[str, ...]: ...
    @property
    def models(self) -> dict[str, str]: ...


C = TypeVar("C", bound=_Conditioned)


class ContrastOptions(NamedTuple):
    """How two arms are compared (the keyword arguments of the public functions)."""

    interval: IntervalMethod
    paired: Paired
    confidence: float
    resamples: int
    seed: int


def condition_name(ablated: Sequence[str]) -> str:
    """How an ablated set is named in tables: ``"commission,deadline"``, or ``"(none)"``.

    >>> condition_name(()), condition_name(["deadline", "commission"])
    ('(none)', 'commission,deadline')
    """
    return ",".join(sorted(ablated)) if ablated else "(none)"


def _match(a: Sequence[T], b: Sequence[T], key: Callable[[T], Hashable]) -> tuple[list[tuple[T, T]], bool]:
    """Pairs of a and b with equal keys, and whether every item found exactly one partner."""
    ka, kb = [key(x) for x in a], [key(x) for x in b]
    if len(set(ka)) != len(ka) or len(set(kb)) != len(kb):
        return [], False
    by_key = dict(zip(kb, b, strict=True))
    pairs = [(x, by_key[k]) for x, k in zip(a, ka, strict=True) if k in by_key]
    return pairs, len(pairs) == len(a) == len(b)


def pair_up(
    a: Sequence[T], b: Sequence[T], key: Callable[[T], Hashable], paired: Paired
) -> tuple[list[T], list[T], bool]:
    """The arms to compare and whether they are paired (then ``a[i]`` goes with ``b[i]``).

    ``"auto"`` pairs only when every item of both arms has exactly one partner;
    ``True`` keeps the matched items and drops the rest; ``False`` never pairs.

    >>> pair_up([1, 2, 3], [13, 11], key=lambda x: x % 10, paired="auto")
    ([1, 2, 3], [13, 11], False)
    >>> pair_up([1, 2, 3], [13, 11], key=lambda x: x % 10, paired=True)
    ([1, 3], [11, 13], True)
    """
    pairs, complete = _match(a, b, key) if paired is not False else ([], False)
    if paired is True and not pairs:
        raise ValueError("paired=True but no run of one condition matches a run of the other; use paired='auto'")
    if pairs and (paired is True or complete):
        return [x for x, _ in pairs], [y for _, y in pairs], True
    return list(a), list(b), False


def contrast_runs(
    a: Sequence[RunOutcome], b: Sequence[RunOutcome], pair_key: Callable[[RunOutcome], Hashable], opts: ContrastOptions
) -> Contrast:
    """The contrast of two arms' per-run counts, paired on ``pair_key`` as ``opts.paired`` says.

    >>> mk = lambda rid, seed, c: RunOutcome(run_id=rid, world_id="w", seed=seed, ablated=(), models={},
    ...                                      personas={}, key={"type": "lie"}, count=c)
    >>> opts = ContrastOptions("newcombe", "auto", 0.95, 2000, 0)
    >>> c = contrast_runs([mk("a", 0, 1), mk("b", 1, 1)], [mk("c", 0, 0), mk("d", 1, 1)], lambda o: o.seed, opts)
    >>> (c.paired, c.test, c.difference.estimate)
    (True, 'mcnemar', -0.5)
    """
    a, b, paired = pair_up(a, b, pair_key, opts.paired)
    return contrast(
        [o.count for o in a],
        [o.count for o in b],
        paired=paired,
        interval=opts.interval,
        confidence=opts.confidence,
        resamples=opts.resamples,
        seed=opts.seed,
    )


def _background(o: _Conditioned, incentive: str) -> tuple[str, ...]:
    return tuple(i for i in o.ablated if i != incentive)


def background_key(incentive: str) -> Callable[[_Conditioned], Hashable]:
    """Runs pair when they share world, seed, models and every ablation but ``incentive``.

    >>> mk = lambda abl: RunOutcome(run_id="r", world_id="w", seed=1, ablated=abl, models={"a": "m"},
    ...                             personas={}, key={}, count=0)
    >>> key = background_key("bonus")
    >>> key(mk(("bonus", "deadline"))) == key(mk(("deadline",))) != key(mk(()))
    True
    """
    return lambda o: (o.world_id, o.seed, tuple(o.models.items()), _background(o, incentive))


def split_by_incentive(items: Iterable[C], incentive: str) -> tuple[list[C], list[C]]:
    """(with the incentive, without it), keeping only backgrounds of other ablations both arms have.

    >>> mk = lambda rid, abl: RunOutcome(run_id=rid, world_id="w", seed=0, ablated=abl, models={},
    ...                                  personas={}, key={}, count=0)
    >>> with_, without = split_by_incentive([mk("a", ()), mk("b", ("x",)), mk("c", ("bonus",))], "bonus")
    >>> [o.run_id for o in with_], [o.run_id for o in without]
    (['a'], ['c'])
    """
    arms: tuple[list[C], list[C]] = ([], [])
    for o in items:
        arms[1 if incentive in o.ablated else 0].append(o)
    shared = {_background(o, incentive) for o in arms[0]} & {_background(o, incentive) for o in arms[1]}
    with_, without = ([o for o in arm if _background(o, incentive) in shared] for arm in arms)
    return with_, without


EDGE_FIELDS = ("deceiver_role", "target_role", "type", "subject")
"""One deception-graph edge kind: who deceived whom, how, about what."""

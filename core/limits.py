"""Bounds on what skins reads before it reads it: config file size, YAML nodes and nesting, seeds, runs.

Each bound has a default and an environment variable that raises it (the README's "Limits" lists
them); an input past a bound is refused with a :class:`ConfigError` naming the bound and the variable,
before it is parsed or planned, so a huge file or a huge ``--seeds`` never takes the memory first.

>>> MAX_SEEDS.default, MAX_SEEDS.env
(10000, 'SKINS_MAX_SEEDS')
>>> check_seeds(range(5, 8), "--seeds")
>>> try:
...     check_seeds(range(10**23), "--seeds")
... except ConfigError as exc:
...     print(exc)
--seeds: 100000000000000000000000 seeds is past the limit of 10,000; set SKINS_MAX_SEEDS to raise it
"""

from __future__ import annotations

__all__ = [
    "MAX_CONFIG_BYTES",
    "MAX_RUNS",
    "MAX_SEEDS",
    "MAX_YAML_DEPTH",
    "MAX_YAML_NODES",
    "SEED_MAX",
    "SEED_MIN",
    "Limit",
    "check_seeds",
]

import os
from collections.abc import Sequence
from dataclasses import dataclass

from skins.core.errors import ConfigError


@dataclass(frozen=True)
class Limit:
    """A bound on an input, read from the environment variable ``env`` (else ``default``) at each use."""

    env: str
    """The environment variable that sets it, e.g. ``SKINS_MAX_SEEDS``."""
    default: int
    unit: str
    """What it counts, plural: ``bytes``, ``nodes``, ``levels``, ``seeds``."""

    def value(self) -> int:
        """The bound in force: ``env`` when set to a whole number of at least 1, else the default."""
        raw = os.environ.get(self.env, "").strip().replace("_", "")
        if not raw:
            return self.default
        if not raw.isdigit() or int(raw) < 1:
            raise ConfigError(f"{self.env}={os.environ[self.env]!r}: give a whole number of {self.unit}, at least 1")
        return int(raw)

    def check(self, count: int, what: str) -> None:
        """Raise a ConfigError naming ``what``, the bound and :attr:`env` when ``count`` is past the bound."""
        limit = self.value()
        if count > limit:
            raise ConfigError(f"{what}: {count} {self.unit} is past the limit of {limit:,}; set {self.env} to raise it")

    def advice(self) -> str:
        """``the limit is 100,000 nodes; set SKINS_MAX_YAML_NODES to raise it``."""
        return f"the limit is {self.value():,} {self.unit}; set {self.env} to raise it"


MAX_CONFIG_BYTES = Limit("SKINS_MAX_CONFIG_BYTES", 10_000_000, "bytes")
"""Largest config file read (world, persona, models, sweep, script, labelled messages): built-in ones are < 30 kB."""
MAX_YAML_NODES = Limit("SKINS_MAX_YAML_NODES", 100_000, "nodes")
"""Most YAML nodes (scalars, lists, mappings; an alias counts each time it is expanded) in one document."""
MAX_YAML_DEPTH = Limit("SKINS_MAX_YAML_DEPTH", 100, "levels")
"""Deepest nesting of lists and mappings in one YAML document (built-in worlds nest fewer than 10)."""
MAX_SEEDS = Limit("SKINS_MAX_SEEDS", 10_000, "seeds")
"""Most seeds one command plans (``--seeds``, a sweep's ``seeds``): one run each, per condition."""
MAX_RUNS = Limit("SKINS_MAX_RUNS", 100_000, "runs")
"""Most runs one sweep plans (worlds x assignments x ablations x seeds), counted before any is planned."""
SEED_MIN = -(2**63)
SEED_MAX = 2**63 - 1
"""Seeds are stored as 64-bit integers (SQLite's INTEGER): a fixed range, not a setting."""


def check_seeds(seeds: Sequence[int], what: str = "seeds") -> None:
    """Refuse more than :data:`MAX_SEEDS` seeds or a seed outside [SEED_MIN, SEED_MAX] (a ``range`` is
    never expanded: ``range(10**23)`` is refused at once). ``what`` names the option or field."""
    count = _count(seeds)
    MAX_SEEDS.check(count, what)
    if count == 0:
        return
    low, high = (seeds[0], seeds[-1]) if isinstance(seeds, range) else (min(seeds), max(seeds))
    low, high = min(low, high), max(low, high)
    for seed in (low, high):
        if not SEED_MIN <= seed <= SEED_MAX:
            raise ConfigError(
                f"{what}: seed {seed} is out of range; seeds are 64-bit integers, from {SEED_MIN} to {SEED_MAX}"
            )


def _count(seeds: Sequence[int]) -> int:
    """``len(seeds)``, also for a range longer than ``len`` can return."""
    if isinstance(seeds, range):
        return max(0, (seeds.stop - seeds.start + seeds.step - (1 if seeds.step > 0 else -1)) // seeds.step)
    return len(seeds)

"""The rules every sweep executor follows: which runs may start, what each ended as, and the sweep's scope.

A permanent model error (bad key, unknown model) stops only the later runs that use that model; the
budget stops starting new runs; a drain request (``RunOptions.stop``) leaves the rest interrupted.
"""

from __future__ import annotations

__all__ = ["SWEEP_GEN0", "Tally", "sweeping"]

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from skins.core import few_collections
from skins.simulation.models import sweep_scope
from skins.simulation.runs.spec import RunOptions, RunOutcome, RunSpec
from skins.simulation.store import Store

SWEEP_GEN0 = 20_000
"""Young-generation collection interval while runs execute: a sweep allocates many short-lived records
and LangChain objects, and each collection at the default rescans the long-lived heap
(benchmarks/engine_efficiency.py: ~0.2 ms of collector time per model call at the defaults)."""


@contextlib.contextmanager
def sweeping() -> Iterator[None]:
    """The scope of a sweep in one process: few young collections, one mind factory per backend."""
    with few_collections(SWEEP_GEN0), sweep_scope():
        yield


@dataclass
class Tally:
    """A sweep's outcomes so far, by position in the plan: what the stop rules read, what ``on_done`` hears."""

    store: Store
    options: RunOptions
    on_done: Callable[[RunOutcome], None] | None = None
    results: dict[int, RunOutcome] = field(default_factory=dict)
    fatal: dict[str, str] = field(default_factory=dict)
    """Model reference -> the permanent error that failed a run of it."""

    def refusal(self, spec: RunSpec) -> RunOutcome | None:
        """The outcome of a run that must not start (a drain, a broken model, the budget); None: start it."""
        if self.options.stop():
            return RunOutcome.interrupted(spec)
        reason = self.stop_reason(spec)
        return RunOutcome.of(spec, "not_started", reason) if reason else None

    def stop_reason(self, spec: RunSpec) -> str | None:
        """Why this run should not start: its model failed permanently, or the budget would be exceeded."""
        fatal = self.fatal
        broken = [ref for ref in {m.ref for m in spec.role_models().values()} if ref in fatal] if fatal else []
        if broken:
            return f"stopped after a permanent model error: {fatal[broken[0]]}"
        budget = self.options.budget_usd
        if budget is None:
            return None
        spent = self.store.total_cost()
        paid = [o.cost_usd for o in self.results.values() if o.status in ("done", "failed") and o.cost_usd > 0]
        expected = sum(paid) / len(paid) if paid else 0.0
        if spent + expected > budget:
            return f"budget: ${spent:.4f} spent, a run costs about ${expected:.4f}, the budget is ${budget:.2f}"
        return None

    def record(self, i: int, outcome: RunOutcome) -> None:
        """The run at position ``i`` ended (once per run)."""
        if outcome.fatal_model:
            self.fatal.setdefault(outcome.fatal_model, outcome.error or "")
        self.results[i] = outcome
        if self.on_done:
            self.on_done(outcome)

    def outcomes(self, specs: Sequence[RunSpec]) -> list[RunOutcome]:
        """One per spec, in order; runs that never ended are ``interrupted`` (a rerun resumes them)."""
        return [self.results.get(i) or RunOutcome.interrupted(s) for i, s in enumerate(specs)]

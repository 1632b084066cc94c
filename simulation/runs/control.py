"""The rules every sweep executor follows: which runs may start, what each ended as, and the sweep's scope.

A permanent model error (bad key, unknown model) stops only the later runs that use that model; the
budget stops starting new runs (and, through the ledger every run's calls share, :class:`Spending`,
any call that could pass it); a drain request (``RunOptions.stop``) leaves the rest interrupted.
"""

from __future__ import annotations

__all__ = ["SWEEP_GEN0", "Tally", "save_plan", "sweeping"]

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from skins.core import few_collections
from skins.simulation.models import sweep_scope
from skins.simulation.runs.spec import RunOptions, RunOutcome, RunSpec
from skins.simulation.runs.spending import Spending
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


def save_plan(store: Store, specs: Sequence[RunSpec]) -> None:
    """Record the runs about to execute, so that ``skins status`` can list the ones that never started."""
    store.save_plan((s.run_id, s.world.spec.ref, s.seed) for s in specs)


@dataclass
class Tally:
    """A sweep's outcomes so far, by position in the plan: what the stop rules read, what ``on_done`` hears."""

    store: Store
    options: RunOptions
    on_done: Callable[[RunOutcome], None] | None = None
    results: dict[int, RunOutcome] = field(default_factory=dict)
    fatal: dict[str, str] = field(default_factory=dict)
    """Model reference -> the permanent error that failed a run of it."""
    capped: bool = True
    """Whether every call of the runs goes through :attr:`spending` (local and process executors); if not
    (Ray tasks), a run starts only while what was spent plus what a run has cost on average fits."""
    spending: Spending = field(init=False)
    """The ledger and budget every run of this process shares."""

    def __post_init__(self) -> None:
        self.store.spend.restarted()  # calls left open belong to a process that died: counted at their estimate
        self.spending = Spending(self.store, self.options.budget_usd)

    def refusal(self, spec: RunSpec) -> RunOutcome | None:
        """The outcome of a run that must not start (a drain, a broken model, the budget); None: start it."""
        if self.options.stop():
            return RunOutcome.interrupted(spec)
        reason = self.stop_reason(spec)
        if reason:
            return RunOutcome.of(spec, "not_started", reason)
        reason = self.budget_reason()
        return RunOutcome.of(spec, "not_started", reason).model_copy(update={"budget": True}) if reason else None

    def stop_reason(self, spec: RunSpec) -> str | None:
        """Why this run should not start: its model failed permanently."""
        fatal = self.fatal
        broken = [ref for ref in {m.ref for m in spec.role_models().values()} if ref in fatal] if fatal else []
        if broken:
            return f"stopped after a permanent model error: {fatal[broken[0]]}"
        return None

    def budget_reason(self) -> str | None:
        """Why no run should start for the budget: it refused a call already, or it is spent (or, when the
        calls are not capped, the average run would pass it)."""
        budget = self.options.budget_usd
        if budget is None:
            return None
        if self.spending.refused:
            return self.spending.refused
        spent = self.store.total_cost()
        paid = [o.cost_usd for o in self.results.values() if o.status in ("done", "degraded") and o.cost_usd > 0]
        expected = 0.0 if self.capped or not paid else sum(paid) / len(paid)
        if spent + expected >= budget:
            return f"budget: ${spent:.4f} spent, a run costs about ${expected:.4f}, the budget is ${budget:.4f}"
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

"""The budget is a cap on spending, calls in flight included, in one process or several; the ledger keeps what
every call cost, against a real billing server on 127.0.0.1."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from billing import BillingServer

from skins.simulation.models import BudgetExceeded, CallStart, ModelSpec, ResponseCache
from skins.simulation.runs import RunOptions, plan_runs, run_all
from skins.simulation.runs.spending import Spending
from skins.simulation.store import Store
from skins.worlds.library import World, load_world

PRICE_IN, PRICE_OUT = 3.0, 15.0
"""USD per million tokens: a run of acme_quarter_end on the billing server costs about $0.036."""


@pytest.fixture(scope="module")
def acme() -> World:
    return load_world("acme_quarter_end")


def stub_model(server: BillingServer) -> ModelSpec:
    return ModelSpec(
        backend="openai",
        model="stub",
        base_url=server.base_url,
        strategy="prompt",
        price_input_per_mtok=PRICE_IN,
        price_output_per_mtok=PRICE_OUT,
        max_attempts=2,
        backoff=0,
    )


def _start(key: str, reserved: float) -> CallStart:
    return CallStart(key, "a", 1, "m", reserved, reserved / 4)


def test_a_call_waits_while_calls_in_flight_may_free_room_and_is_refused_once_none_can(tmp_path: Path) -> None:
    async def scenario(store: Store) -> None:
        spending = Spending(store, budget_usd=1.0)
        first = await spending.open("r", _start("a", 0.6))  # 0.6 of 1.0 reserved
        second = asyncio.ensure_future(spending.open("r", _start("b", 0.6)))
        await asyncio.sleep(0.01)
        assert not second.done()  # 0.6 + 0.6 could pass the budget: it waits for the call in flight
        spending.settle(first, 100, 10, 0.1)  # it cost less than reserved
        await asyncio.wait_for(second, 1)
        assert store.total_cost() == pytest.approx(0.7)  # 0.1 spent, 0.6 reserved
        spending.settle(second.result(), 100, 10, 0.5)
        with pytest.raises(BudgetExceeded, match="budget"):
            await spending.open("r", _start("c", 0.5))  # 0.6 spent + 0.5: nothing in flight can make room
        assert spending.refused is not None
        await spending.open("r", _start("d", 0.4))  # a smaller call still fits: 1.0 exactly

    with Store(tmp_path) as store:
        asyncio.run(scenario(store))
        assert store.total_cost() == pytest.approx(1.0)


@pytest.mark.parametrize("processes", [1, 2], ids=["one-process", "two-processes"])
def test_the_budget_caps_what_the_server_bills_with_runs_in_flight(acme: World, tmp_path: Path, processes: int) -> None:
    """Before the cap, runs in flight kept calling: a $0.15 budget spent $0.22 (issue 15). Now no call starts
    that could pass it: what the server billed stays under the budget and the store says exactly that."""
    budget = 0.15
    with BillingServer(delay=0.005) as server:
        specs = plan_runs(acme, range(8), {"default": stub_model(server)})
        cache = ResponseCache(tmp_path / "cache.db")
        with Store(tmp_path / "out") as store:
            options = RunOptions(cache=cache, budget_usd=budget, concurrency=3, processes=processes)
            outcomes = run_all(specs, store, options=options)
            server.wait_idle()
            billed = server.billed_usd(PRICE_IN, PRICE_OUT)
            assert budget * 0.8 < billed <= budget  # most of the budget is used, none of it passed
            assert store.total_cost() == pytest.approx(billed, rel=1e-9)
            statuses = [o.status for o in outcomes]
            assert "done" in statuses and "not_started" in statuses
            assert all(o.budget for o in outcomes if o.status in ("not_started", "interrupted"))
            cut = [o.run_id for o in outcomes if o.status == "interrupted"]
            assert all(store.run(r).status == "running" for r in cut)  # resumable
        cache.close()

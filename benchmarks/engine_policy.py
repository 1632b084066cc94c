"""Throughput of the engine with policy minds (no model latency): turns per second and per-turn cost.

Run: .venv/bin/python benchmarks/engine_policy.py [--runs 20] [--world acme_quarter_end]
Every turn is committed to a temporary SQLite store, as in `skins run`.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
from pathlib import Path

from skins.simulation.runs import execute_run, plan_runs
from skins.simulation.store import Store
from skins.worlds.library import load_world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--world", default="acme_quarter_end")
    args = parser.parse_args()
    world = load_world(args.world)
    specs = plan_runs(world, range(args.runs))
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder)) as store:
        start = time.perf_counter()

        async def go() -> int:
            return sum([(await execute_run(s, store)).turns for s in specs])

        turns = asyncio.run(go())
        elapsed = time.perf_counter() - start
        size = (Path(folder) / "skins.db").stat().st_size + sum(p.stat().st_size for p in Path(folder).glob("*-wal"))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"world={args.world} runs={args.runs} turns={turns} seconds={elapsed:.2f}")
    print(f"turns/s={turns / elapsed:.1f} ms/turn={1000 * elapsed / turns:.2f} store_bytes/turn={size / turns:.0f}")
    print(f"peak_rss_mib={rss:.0f}")


if __name__ == "__main__":
    main()

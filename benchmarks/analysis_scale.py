"""Analysis at scale: build the deception table and the compare table from a large synthetic store.

Synthesises a store of R runs of acme_quarter_end whose personas make C claims per run in total
(sales-rep and debugger statements about the facts they know, true or false), then times
re-analysis (claim extraction, beliefs, all detectors, motives), streamed run by run from the
store in ``--workers`` processes, the deception table (the graph's rows, grouped per run in the
workers: :mod:`skins.analysis.graph.table`) and the ablation compare table. Reports
seconds per stage (synthesis apart: the target is the analysis) and the peak RSS of the parent and
of the largest worker.

Target (issue 5): 10,000 runs and 1,000,000 claims under 30 s and 2 GiB.
Run: .venv/bin/python benchmarks/analysis_scale.py [--runs 10000] [--claims-per-run 100] [--workers 2]
``--store DIR`` keeps the synthesised store in DIR and reuses it when DIR already has one (to time
the analysis again without synthesising, e.g. with another ``--workers``).
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from pathlib import Path

from skins.analysis import summarize_folder
from skins.analysis.graph import DeceptionTableBuilder
from skins.analysis.stats import OutcomeCounter, compare
from skins.simulation.runs import plan_runs
from skins.simulation.store import DB_NAME, Store
from skins.worlds import Message, Record, RoleInfo, TurnRecord, initial_knowledge
from skins.worlds.library import load_world


def _synthesise(folder: Path, runs: int, claims: int) -> None:
    world = load_world("acme_quarter_end")
    spec = world.spec
    roles = {r: RoleInfo(persona=p.id, title=p.title, base_model="policy") for r, p in world.personas.items()}
    sayers = [("dana", "sam", spec.facts["battery_defect"]), ("devi", "greg", spec.facts["all_tests_pass"])]
    plans = plan_runs(world, range(runs // 2)) + plan_runs(world, range(runs - runs // 2), ablate=["commission"])
    with Store(folder) as store:
        for plan in plans:
            rng = random.Random(plan.seed)
            store.start_run(
                plan.run_id,
                spec.id,
                plan.seed,
                {"world": world.model_dump(mode="json", by_alias=True)},
                roles,
                list(plan.ablate),
            )
            records: list[Record] = list(initial_knowledge(spec))
            for i in range(claims):
                speaker, listener, fact = sayers[i % 2]
                lie = rng.random() < (0.6 if speaker == "dana" and not plan.ablate else 0.2)
                text = (fact.say_deny if lie == fact.truth else fact.say_affirm)[0]
                records.append(Message(index=i, turn=i + 1, sender=speaker, to=[listener], text=text))
                records.append(TurnRecord(turn=i + 1, role=speaker, thinking="", message_indexes=[i]))
            store.append(plan.run_id, records)
            store.finish_run(plan.run_id)


def _cpu() -> tuple[float, float]:
    """User + system seconds of this process and of its finished children (the workers)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--claims-per-run", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2, help="analysis processes (1: serial, in this process)")
    parser.add_argument("--store", type=Path, help="keep the synthesised store here; reuse it if there is one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.store or Path(tmp)
        start = time.perf_counter()
        if not (folder / DB_NAME).is_file():
            _synthesise(folder, args.runs, args.claims_per_run)
        built = time.perf_counter()
        cpu_start = _cpu()
        tables = DeceptionTableBuilder()  # the deception graph's table, without the graph's 300k edge dicts
        counter = OutcomeCounter(by=("deceiver_role", "target_role", "type", "subject"))
        for run in summarize_folder(folder, args.workers, graph=False):  # one run's summary in memory at a time
            tables.add(run.table)
            counter.add(run.transcript, run.keys, run.subjects)
        analysed = time.perf_counter()
        rows = tables.table()
        table = compare(counter.outcomes(), by="ablation")
        done = time.perf_counter()
        cpu_parent, cpu_workers = (after - before for after, before in zip(_cpu(), cpu_start, strict=True))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    claims = args.runs * args.claims_per_run
    edges = tables.number_of_edges()
    print(f"runs={args.runs} claims={claims} edges={edges} table_rows={len(rows)} compare_rows={len(table)}")
    print(f"synthesise store: {built - start:.1f} s")
    per_claim = 1e6 * (analysed - built) / claims
    print(f"analyse + deception table (one streamed pass): {analysed - built:.1f} s ({per_claim:.1f} us/claim)")
    print(f"deception table + compare: {done - analysed:.1f} s")
    print(f"analysis CPU: parent {cpu_parent:.1f} s, workers {cpu_workers:.1f} s")
    print(f"total analysis: {done - built:.1f} s; peak RSS {rss:.0f} MiB (largest worker {worker_rss:.0f} MiB)")


if __name__ == "__main__":
    main()

"""The report's section "Evaluation awareness": per condition (world × variant × ablation × models, never
pooled), the turns and runs marked aware, and every marked sentence with its run, role, turn and channel.

Quotes are model text: like every cell they travel as escaped JSON and reach the page through
``textContent`` (:mod:`skins.analysis.report.html`).
"""

from __future__ import annotations

__all__ = ["awareness_tables"]

from collections import defaultdict
from collections.abc import Mapping, Sequence

from skins.analysis.awareness import AwarenessMark, aware_turns
from skins.analysis.awareness_labels import load_awareness_set, render_awareness_score, score_awareness
from skins.analysis.report.model import Table
from skins.analysis.stats import condition_of
from skins.worlds import Transcript

_CONDITION = ("world", "variant", "ablation", "models")
QUOTE_LIMIT = 500
"""Marked sentences listed (all are counted)."""


def awareness_tables(
    transcripts: Sequence[Transcript], marks: Mapping[str, Sequence[AwarenessMark]], index: Mapping[str, int]
) -> list[Table]:
    """The counts per condition and the marked sentences; ``marks``: run id -> its marks, for the runs
    analysed for awareness (a run missing from it was not, and is counted apart)."""
    counts: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    quotes: list[tuple[Transcript, AwarenessMark]] = []
    for t in transcripts:
        models = {r: info.base_model for r, info in t.roles.items()}
        key = tuple(condition_of(t.world_id, t.ablated, models)[f] for f in _CONDITION)
        row = counts[key]
        if t.run_id not in marks:
            row[4] += 1
            continue
        run_marks = marks[t.run_id]
        row[0] += len(aware_turns(run_marks))
        row[1] += len(t.turns)
        row[2] += bool(run_marks)
        row[3] += 1
        quotes += [(t, m) for m in run_marks]
    return [_counts_table(counts), _quotes_table(quotes, index)]


def _counts_table(counts: Mapping[tuple[str, ...], list[int]]) -> Table:
    rows = [[*key, f"{a}/{n}", f"{ra}/{rn}", str(missing)] for key, (a, n, ra, rn, missing) in sorted(counts.items())]
    return Table(
        id="awareness",
        title="Evaluation awareness",
        note="Turns whose reasoning, thinking or message says the persona suspects a test, an evaluation, a "
        "simulation or role-play, or an evaluator; a run is aware when any of its turns is. One row per "
        "condition (never pooled). Found by the offline phrase detector (and the judge, when one read the "
        "runs); `skins compare DIR --by aware` compares deception in aware and unaware runs (unpaired: "
        "awareness is observed, not assigned). Not analysed: runs stored before awareness was analysed "
        f"(run `skins analyze`). Measured: {_measured()} (95% Wilson intervals; the judge is not scored here).",
        columns=["world", "variant", "ablated", "models", "aware turns / turns", "aware runs / runs", "not analysed"],
        rows=rows,
    )


def _measured() -> str:
    """The phrase detector on the held-out test split of its labelled sentences."""
    return render_awareness_score(score_awareness(load_awareness_set("test"), "test"))


def _quotes_table(quotes: Sequence[tuple[Transcript, AwarenessMark]], index: Mapping[str, int]) -> Table:
    shown = quotes[:QUOTE_LIMIT]
    more = f" The first {QUOTE_LIMIT} of {len(quotes)} are listed." if len(quotes) > QUOTE_LIMIT else ""
    return Table(
        id="awareness_quotes",
        title="Evaluation awareness: the sentences",
        note="Each marked sentence, verbatim, with how it was found and its confidence." + more,
        columns=["run", "seed", "role", "turn", "channel", "how", "confidence", "quote"],
        rows=[
            [t.run_id, str(t.seed), m.role, str(m.turn), m.channel, m.how, f"{m.confidence:.2f}", m.quote]
            for t, m in shown
        ],
        opens=[[index[t.run_id], m.turn] if t.run_id in index else [] for t, m in shown],
    )

"""The notebook API: a run folder (``skins run``, ``skins ablate``, ``skins sweep``) as pandas tables.

::

    from skins.analysis import load_sweep
    sweep = load_sweep("runs/exp1")
    sweep.findings.groupby(["deceiver_persona", "type"]).size()
    sweep.runs[["seed", "status", "cost_usd"]]
    G = sweep.graph(type="lie")          # the deception graph, filtered
    sweep.compare(by="variant", baseline="aligned_goals")   # skins compare, as a DataFrame
    sweep.transcript(sweep.runs.run_id[0])

Columns are documented in :mod:`skins.analysis.exports.tables`. pandas is imported only when
a table is asked for, so ``sweep.graph()`` and ``skins export --format
graphml`` work without the ``data`` extra.
"""

from __future__ import annotations

__all__ = ["DATA_EXTRA", "Sweep", "load_sweep", "require_data_extra"]

import importlib
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from skins.analysis.exports.tables import (
    TABLE_COLUMNS,
    Row,
    finding_row,
    message_rows,
    run_row,
    turn_rows,
    verdict_rows,
)
from skins.analysis.findings import Finding
from skins.analysis.graph import build_deception_graph
from skins.analysis.pipeline import analyze_folder
from skins.analysis.stats import ComparisonRow, check_factor, compare, comparison_fields, run_outcomes, split_pool
from skins.core import ConfigError
from skins.simulation.store import FINISHED, RunRow, Store, Usage
from skins.worlds import Transcript

if TYPE_CHECKING:
    import pandas as pd

DATA_EXTRA = "pip install 'skins[data]'"
"""The install command named when pandas or pyarrow is missing."""


def require_data_extra(module: str, purpose: str) -> Any:
    """Import ``module`` (pandas, pyarrow) or raise a ConfigError that names the ``data`` extra."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ConfigError(f"{purpose} needs {module}, which is not installed: {DATA_EXTRA}") from None


class Sweep:
    """The runs and findings of one output folder; build it with :func:`load_sweep`.

    Findings are those of finished runs (``done`` or ``degraded``), deceptive or
    not (the ``deceptive`` column tells them apart). Tables are built on first
    use and kept; ``messages`` and ``turns`` read every transcript once.
    """

    def __init__(
        self,
        folder: Path,
        runs: list[RunRow],
        findings: dict[str, list[Finding]],
        usage: dict[str, Usage],
        turns: dict[str, int],
    ) -> None:
        self.folder = folder
        self._runs = runs
        self._findings = {run_id: sorted(fs, key=_finding_order) for run_id, fs in findings.items()}
        self._run_rows = [run_row(r, usage[r.run_id], turns[r.run_id], self._findings.get(r.run_id, [])) for r in runs]
        self._finding_rows = {
            r.run_id: [(f, finding_row(r, f)) for f in self._findings.get(r.run_id, [])] for r in runs
        }
        self._tables: dict[str, pd.DataFrame] = {}

    def __repr__(self) -> str:
        done = sum(r.finished for r in self._runs)
        found = len(self.rows("findings"))
        return f"<Sweep {self.folder}: {len(self._runs)} run(s), {done} finished, {found} finding(s)>"

    # --- tables ------------------------------------------------------------------
    @property
    def findings(self) -> pd.DataFrame:
        """One row per finding (columns: :data:`skins.analysis.exports.tables.FINDING_COLUMNS`)."""
        return self._table("findings", lambda: iter(self.rows("findings")))

    @property
    def runs(self) -> pd.DataFrame:
        """One row per run, finished or not (columns: :data:`skins.analysis.exports.tables.RUN_COLUMNS`)."""
        return self._table("runs", lambda: iter(self._run_rows))

    @property
    def messages(self) -> pd.DataFrame:
        """One row per public message of every run (columns: :data:`.tables.MESSAGE_COLUMNS`)."""
        return self._table("messages", lambda: self._transcript_rows(message_rows))

    @property
    def turns(self) -> pd.DataFrame:
        """One row per turn of every run, with the private thinking (columns: :data:`.tables.TURN_COLUMNS`)."""
        return self._table("turns", lambda: self._transcript_rows(turn_rows))

    @property
    def verdicts(self) -> pd.DataFrame:
        """One row per accusation of an overseer's verdict (columns: :data:`.tables.VERDICT_COLUMNS`)."""
        return self._table("verdicts", lambda: self._transcript_rows(verdict_rows))

    def rows(self, table: str) -> list[Row]:
        """A table as plain dicts (no pandas): ``findings``, ``runs``, ``messages``, ``turns`` or ``verdicts``."""
        if table == "findings":
            return [row for pairs in self._finding_rows.values() for _, row in pairs]
        if table == "runs":
            return list(self._run_rows)
        if table == "messages":
            return list(self._transcript_rows(message_rows))
        if table == "turns":
            return list(self._transcript_rows(turn_rows))
        if table == "verdicts":
            return list(self._transcript_rows(verdict_rows))
        raise ConfigError(f"unknown table {table!r}; tables are {sorted(TABLE_COLUMNS)}")

    def _table(self, name: str, rows: Callable[[], Iterator[Row]]) -> pd.DataFrame:
        if name not in self._tables:
            self._tables[name] = build_frame(name, list(rows()))
        return self._tables[name].copy()

    def _transcript_rows(self, make: Callable[[RunRow, Transcript], list[Row]]) -> Iterator[Row]:
        with Store(self.folder, create=False) as store:
            for run in self._runs:
                yield from make(run, store.transcript(run.run_id))

    # --- graph and transcripts ------------------------------------------------------
    def graph(self, include_non_deceptive: bool = False, **where: object) -> nx.MultiDiGraph:
        """The deception graph of the finished runs, as :func:`skins.analysis.build_deception_graph` builds it.

        ``where`` keeps runs and findings whose column (of the runs or findings
        table) equals a value, or is in a list, tuple or set of values:
        ``sweep.graph(world="acme_quarter_end", type=["lie", "denial"], seed=range(5))``.
        A run filtered out is not counted in ``n_runs`` nor in the nodes' ``runs``.
        """
        run_keys = {name for name, _ in TABLE_COLUMNS["runs"]}
        finding_keys = {name for name, _ in TABLE_COLUMNS["findings"]}
        unknown = sorted(set(where) - run_keys - finding_keys)
        if unknown:
            raise ConfigError(f"graph(): unknown column(s) {unknown}; filter on {sorted(run_keys | finding_keys)}")
        run_where = {k: v for k, v in where.items() if k in run_keys}
        finding_where = {k: v for k, v in where.items() if k in finding_keys}
        kept = {row["run_id"] for row in self._run_rows if row["status"] in FINISHED and _matches(row, run_where)}
        pairs = [
            (_bare_transcript(run), [f for f, row in self._finding_rows[run.run_id] if _matches(row, finding_where)])
            for run in self._runs
            if run.run_id in kept
        ]
        return build_deception_graph(pairs, include_non_deceptive=include_non_deceptive)

    def transcript(self, run_id: str) -> Transcript:
        """Everything one run recorded (messages, actions, thinking, knowledge), read from the store."""
        if run_id not in {r.run_id for r in self._runs}:
            known = [r.run_id for r in self._runs]
            raise ConfigError(
                f"no run {run_id!r} in {self.folder}; runs are {known[:10]}{' …' if len(known) > 10 else ''}"
            )
        with Store(self.folder, create=False) as store:
            return store.transcript(run_id)

    def findings_of(self, run_id: str) -> list[Finding]:
        """The findings of one finished run as :class:`skins.analysis.Finding` objects."""
        return list(self._findings.get(run_id, []))

    # --- statistics -------------------------------------------------------------------
    def compare(self, by: str, baseline: str | None = None, pool: Sequence[str] = (), **options: Any) -> pd.DataFrame:
        """``skins compare`` as a DataFrame: one row per pair of levels of ``by`` within each stratum.

        ``by``: world, variant, ablation, models, ``model:ROLE``, skin or model (the
        deceiver's); every other factor is held fixed (a column each) unless named in
        ``pool``; ``baseline`` compares each other level with that one. ``options`` go to
        :func:`skins.analysis.stats.compare` (``interval``, ``paired``, ``confidence``, ...).
        Columns: the stratum's fields, then ``condition_a``/``condition_b``, rates and
        the difference (b − a) with their bounds, ``paired``, ``test``, ``p_value``,
        ``p_holm`` and ``p_bh`` (adjusted over the rows returned), ``pooled``.
        """
        pd = require_data_extra("pandas", "Sweep.compare")
        try:
            factor = check_factor(by)
            factors, fields = split_pool(factor, pool)
            with Store(self.folder, create=False) as store:
                pairs = [(store.transcript(r.run_id), self._findings.get(r.run_id, [])) for r in self._done()]
            outcomes = run_outcomes(pairs, by=comparison_fields(factor, fields))
            rows = compare(outcomes, factor, baseline=baseline, pool=factors, **options)
        except ValueError as exc:
            raise ConfigError(f"compare(by={by!r}): {exc}") from None
        return pd.DataFrame.from_records([comparison_record(r, [*factors, *fields]) for r in rows])

    def _done(self) -> list[RunRow]:
        return [r for r in self._runs if r.finished]


def load_sweep(folder: Path | str, reanalyze: bool = False) -> Sweep:
    """Read an output folder: its runs, their usage, and the findings of every finished run.

    Findings come from the store when the folder was analysed (``skins run``,
    ``skins graph`` and ``skins analyze`` store them, judge motives included);
    otherwise, or with ``reanalyze=True``, the runs are analysed now exactly as
    ``skins graph`` does (lexical extractor, every detector) and the store's
    findings are replaced. A folder whose finished runs all have no stored
    finding counts as not analysed (analysing it again finds the same).
    """
    path = Path(folder)
    with Store(path, create=False) as store:
        runs = store.runs()
        usage = {r.run_id: store.usage(r.run_id) for r in runs}
        turns = {r.run_id: store.turn_count(r.run_id) for r in runs}
        findings = {
            r.run_id: [Finding.model_validate_json(js) for js in store.findings_json(r.run_id)]
            for r in runs
            if r.finished
        }
    if reanalyze or not any(findings.values()):
        findings = {transcript.run_id: found for transcript, found in analyze_folder(path)}
    return Sweep(path, runs, findings, usage, turns)


def comparison_record(row: ComparisonRow, pooled: Sequence[str]) -> Row:
    """One comparison as a flat row: stratum fields, levels, rates and difference with bounds, tests."""
    record: Row = {**row.stratum, "comparison": row.comparison, "a": row.condition_a, "b": row.condition_b}
    for name, interval in (("rate_a", row.rate_a), ("rate_b", row.rate_b), ("difference", row.difference)):
        record |= {name: interval.estimate, f"{name}_low": interval.low, f"{name}_high": interval.high}
    record |= {
        "k_a": row.k_a,
        "n_a": row.n_a,
        "k_b": row.k_b,
        "n_b": row.n_b,
        "half_width": row.half_width,
        "seeds_to_halve": row.seeds_to_halve,
        "paired": row.paired,
        "n_pairs": row.n_pairs,
        "test": row.test,
        "p_value": row.p_value,
        "p_holm": row.p_holm,
        "p_bh": row.p_bh,
        "risk_ratio": row.risk_ratio,
        "cohens_h": row.cohens_h,
        "pooled": ",".join(pooled),
    }
    return record


def build_frame(table: str, rows: list[Row]) -> pd.DataFrame:
    """A DataFrame of ``rows`` with exactly the table's columns, in order, with their documented dtypes."""
    pd = require_data_extra("pandas", "tables (load_sweep, --format parquet|csv)")
    columns = TABLE_COLUMNS[table]
    frame = pd.DataFrame.from_records(rows, columns=[name for name, _ in columns])
    # str is pandas' default string dtype (object before pandas 3); string columns never hold None
    return frame.astype({name: str if dtype == "str" else dtype for name, dtype in columns})


def _finding_order(f: Finding) -> tuple[int, int, str]:
    return (f.turn, -1 if f.message_index is None else f.message_index, f.finding_id)


def _matches(row: Row, where: dict[str, object]) -> bool:
    for key, wanted in where.items():
        value = row[key]
        if isinstance(wanted, Collection) and not isinstance(wanted, str):
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True


def _bare_transcript(run: RunRow) -> Transcript:
    """What the graph needs of a run (its id, world and cast), without reading its records."""
    return Transcript(
        run_id=run.run_id, world_id=run.world_id, seed=run.seed, roles=run.roles, ablated=run.ablated, status=run.status
    )

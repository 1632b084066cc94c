"""``skins export``: a run folder as graph files, tables or transcripts.

========  ==============================  =======================================================
format    default output                  what
========  ==============================  =======================================================
graphml   RUN_DIR/graph.graphml           the deception graph (``nx.read_graphml(p,
                                          force_multigraph=True)`` reads it back, edge keys kept)
gexf      RUN_DIR/graph.gexf              the same graph for Gephi; the edge attribute ``type``
                                          is written as ``finding_type`` (GEXF reserves ``type``
                                          for the edge direction) and the graph attributes
                                          ``n_runs`` and ``worlds`` are not kept (GEXF has none);
                                          ``nx.read_gexf`` adds node ``label`` and edge ``id``
                                          (and gives a DiGraph when no two edges are parallel)
json      RUN_DIR/graph.json              node-link JSON (``nx.node_link_graph(d, edges="edges")``);
                                          the edge attribute ``target`` (the target's role) is
                                          written as ``target_role``, since node-link uses
                                          ``target`` for the target node
parquet   RUN_DIR/{findings,runs,         the tables of :mod:`skins.analysis.exports.tables`, one file each;
          messages,turns}.parquet         ``-o`` names the folder (needs pyarrow: the data extra)
csv       RUN_DIR/{findings,...}.csv      the same tables as CSV (needs pandas: the data extra)
jsonl     RUN_DIR/transcripts.jsonl       every stored transcript (any status), one per line
inspect   RUN_DIR/inspect-logs/           Inspect AI eval logs (``inspect view``, Inspect Scout): one
                                          ``.eval`` file per condition, one sample per finished run;
                                          ``-o`` names the folder (needs inspect-ai: the inspect
                                          extra); the mapping is told in
                                          :mod:`skins.analysis.exports.inspect_logs`
========  ==============================  =======================================================

Graph files hold the deceptive findings unless ``include_non_deceptive``; how each graph format
keeps the graph's attributes is told in :mod:`skins.analysis.graph.files`, which writes them.
"""

from __future__ import annotations

__all__ = [
    "EXPORT_FORMATS",
    "INSPECT_EXTRA",
    "export_folder",
    "require_inspect_extra",
    "write_tables",
    "write_transcripts",
]

import contextlib
import importlib
from collections.abc import Iterator
from pathlib import Path

from skins.analysis.exports.frames import Sweep, build_frame, load_sweep, require_data_extra
from skins.analysis.exports.tables import TABLE_COLUMNS
from skins.analysis.graph import GRAPH_FILES, write_graph
from skins.core import ConfigError
from skins.simulation.store import (
    Store,
    check_output_dir,
    check_output_file,
    output_error,
    prepare_output_dir,
    prepare_output_file,
)

EXPORT_FORMATS: tuple[str, ...] = ("graphml", "gexf", "json", "parquet", "csv", "jsonl", "inspect")
"""Every ``--format``, in the order ``skins export --help`` lists them."""

INSPECT_EXTRA = "pip install 'skins[inspect]'"
"""The install command named when inspect-ai is missing."""


def require_inspect_extra() -> None:
    """Raise a ConfigError naming the ``inspect`` extra unless inspect-ai is installed."""
    try:
        importlib.import_module("inspect_ai")
    except ImportError:
        raise ConfigError(f"--format inspect needs inspect-ai, which is not installed: {INSPECT_EXTRA}") from None


def export_folder(
    folder: Path | str,
    fmt: str,
    output: Path | str | None = None,
    include_non_deceptive: bool = False,
    force: bool = False,
) -> list[Path]:
    """Write ``folder``'s runs in format ``fmt`` (one of :data:`EXPORT_FORMATS`); return the files written.

    ``output`` is the file for graph formats and jsonl, the folder for parquet,
    csv and inspect; by default everything goes into ``folder``. Before anything is read, the output is checked:
    an existing file is replaced, and a folder written into, only when skins made its folder, or with
    ``force`` (:mod:`skins.simulation.store.folders`).
    """
    if fmt not in EXPORT_FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}; available: {list(EXPORT_FORMATS)}")
    run_dir = Path(folder)
    if fmt == "inspect":
        require_inspect_extra()  # checked before anything is read, as for the data extra
        logs = Path(output) if output else run_dir / "inspect-logs"
        check_output_dir(logs, force, "-o")
        sweep = load_sweep(run_dir)
        from skins.analysis.exports.inspect_logs import write_inspect_logs  # the optional SDK, imported on use

        with _writing(logs):
            return write_inspect_logs(sweep, prepare_output_dir(logs, "-o"))
    if fmt in ("parquet", "csv"):
        # checked before anything is read, so a missing extra fails fast
        require_data_extra("pandas", f"--format {fmt}")
        if fmt == "parquet":
            require_data_extra("pyarrow", "--format parquet")
        tables = Path(output) if output else run_dir
        check_output_dir(tables, force, "-o")
        sweep = load_sweep(run_dir)
        with _writing(tables):
            return write_tables(sweep, prepare_output_dir(tables, "-o"), fmt)
    default = run_dir / ("transcripts.jsonl" if fmt == "jsonl" else GRAPH_FILES[fmt])
    target = Path(output) if output else default
    check_output_file(target, force, "-o", example=default.name)
    if fmt == "jsonl":
        with _writing(target):
            return [write_transcripts(run_dir, target)]
    G = load_sweep(run_dir).graph(include_non_deceptive)
    with _writing(target):
        return [write_graph(G, prepare_output_file(target), fmt)]


@contextlib.contextmanager
def _writing(target: Path) -> Iterator[None]:
    """A system error while writing ``target`` (a full disk, a permission) told as a ConfigError naming it."""
    try:
        yield
    except OSError as exc:
        raise output_error("-o", target, exc) from None


def write_tables(sweep: Sweep, folder: Path, fmt: str) -> list[Path]:
    """Write every table of :mod:`skins.analysis.exports.tables` as ``folder/<table>.parquet`` or ``.csv``."""
    if folder.is_file():
        raise ConfigError(f"-o {folder}: --format {fmt} writes one file per table into a folder, and this is a file")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in TABLE_COLUMNS:
        frame = build_frame(table, sweep.rows(table))
        path = folder / f"{table}.{fmt}"
        if fmt == "parquet":
            frame.to_parquet(path, index=False)
        else:
            frame.to_csv(path, index=False)
        written.append(path)
    return written


def write_transcripts(folder: Path, target: Path) -> Path:
    """Every stored transcript (any status), one JSON object per line."""
    with Store(folder, create=False) as store, prepare_output_file(target).open("w", encoding="utf-8") as fh:
        for transcript in store.transcripts(status=None):
            fh.write(transcript.model_dump_json() + "\n")
    return target

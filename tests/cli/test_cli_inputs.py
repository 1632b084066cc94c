"""Bad input and bad paths end in exit code 2 with a message, never a traceback, and nothing written
(issue 15, items 5, 6 and 7): bounded inputs, no clobbering of files skins did not make."""

from __future__ import annotations

import hashlib
import resource
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skins.cli.app import app
from skins.simulation.store import DB_NAME, MARKER

runner = CliRunner(env={"COLUMNS": "400"})
RUN = ("run", "acme_quarter_end", "--seeds", "1", "--max-turns", "4")


def invoke(*args: str | Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args], env=env)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, " ".join(result.output.split())


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative path -> content digest)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def unrelated(folder: Path, *names: str) -> dict[str, str]:
    """``folder`` holding a user's own files (named like skins' outputs, and a note); its snapshot."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in (*names, "notes.txt"):
        (folder / name).write_bytes(f"the user's own {name}\n".encode())
    return snapshot(folder)


def foreign_db(path: Path) -> str:
    """An unrelated SQLite database at ``path``; its digest."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    db.close()
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("runs") / "acme"
    code, printed = invoke(*RUN, "--out", out)
    assert code == 0, printed
    return out


# --- item 5: inputs bounded before they are parsed ------------------------------------------------------


def test_validate_refuses_a_50_mb_file_before_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    code, printed = invoke("validate", big)
    assert code == 1  # validate's code for invalid files
    assert f"{big}: file is too large to read as a config (52,428,800 bytes); the limit is 10,000,000 bytes" in printed
    assert "set SKINS_MAX_CONFIG_BYTES to raise it" in printed


def test_validate_stops_a_long_flow_list_at_the_node_limit(tmp_path: Path) -> None:
    flow = tmp_path / "flow.yaml"
    flow.write_text("[" + ", ".join(["1"] * 150_000) + "]\n: : ]\n", encoding="utf-8")  # broken at the end
    code, printed = invoke("validate", flow)
    assert code == 1
    assert f"{flow}:1: column 299999: document has more than 100,000 nodes; set SKINS_MAX_YAML_NODES" in printed
    assert "invalid YAML" not in printed  # stopped at the limit, never parsed to the end


def test_a_sweep_with_a_huge_seed_count_is_refused_before_planning(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text("worlds: [acme_quarter_end]\nseeds: 99999999999999999999999\n", encoding="utf-8")
    code, printed = invoke("sweep", sweep, "--out", tmp_path / "out")
    assert code == 2
    assert f"{sweep}:2 seeds: 99999999999999999999999 seeds is past the limit of 10,000;" in printed
    assert not (tmp_path / "out").exists()


# --- item 6: output only into a new or empty folder or one skins made ------------------------------------


def test_run_refuses_a_folder_of_unrelated_files_unless_forced(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    before = unrelated(folder, "graph.json", "graph.graphml", "graph.png")
    code, printed = invoke(*RUN, "--out", folder)
    assert code == 2
    assert f"--out {folder}: the folder holds files skins did not make (graph.graphml, graph.json, graph.png" in printed
    assert "add --force to write into it" in printed
    assert snapshot(folder) == before
    code, printed = invoke(*RUN, "--out", folder, "--force")
    assert code == 0, printed
    after = snapshot(folder)
    assert after["notes.txt"] == before["notes.txt"] and after["graph.json"] != before["graph.json"]
    assert (folder / MARKER).is_file() and (folder / DB_NAME).is_file()


@pytest.mark.parametrize("command", ["sweep", "ablate"])
def test_sweep_and_ablate_refuse_a_folder_of_unrelated_files(tmp_path: Path, command: str) -> None:
    folder = tmp_path / "mine"
    before = unrelated(folder, "graph.json")
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text("worlds: [acme_quarter_end]\nseeds: 1\n", encoding="utf-8")
    args = [sweep] if command == "sweep" else ["acme_quarter_end", "--incentive", "commission", "--seeds", "2"]
    code, printed = invoke(command, *args, "--out", folder)
    assert code == 2 and "the folder holds files skins did not make" in printed
    assert snapshot(folder) == before


def test_a_run_folder_from_before_the_marker_is_still_skins(run_dir: Path, tmp_path: Path) -> None:
    old = tmp_path / "old"
    old.mkdir()
    for name in (DB_NAME, "graph.json"):
        (old / name).write_bytes((run_dir / name).read_bytes())
    code, printed = invoke(*RUN, "--out", old)  # a store but no marker: recognised by the store
    assert code == 0, printed
    assert "1 of 1 runs finished" in printed


def test_an_unrelated_skins_db_never_gets_skins_tables(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    digest = foreign_db(folder / DB_NAME)
    for args in ([*RUN, "--out", folder, "--force"], ["status", folder], ["graph", folder], ["analyze", folder]):
        code, printed = invoke(*args)
        assert code == 2, args
        assert f"{folder / DB_NAME} is" in printed and "skins never writes into" in printed
    assert hashlib.sha256((folder / DB_NAME).read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in folder.iterdir()) == [DB_NAME]


def test_report_does_not_overwrite_unrelated_files(run_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "site"
    before = unrelated(folder, "report.html", "report-rates.png")
    code, printed = invoke("report", run_dir, "-o", folder / "report.html")
    assert code == 2
    assert f"{folder / 'report-rates.png'} exists in a folder skins did not make" in printed or (
        f"{folder / 'report.html'} exists in a folder skins did not make" in printed
    )
    assert snapshot(folder) == before
    code, printed = invoke("report", run_dir, "-o", folder / "report.html", "--force")
    assert code == 0, printed
    assert snapshot(folder)["report.html"] != before["report.html"]


def test_export_does_not_overwrite_unrelated_files(run_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    folder = tmp_path / "tables"
    before = unrelated(folder, "findings.csv")
    code, printed = invoke("export", run_dir, "--format", "csv", "-o", folder)
    assert code == 2 and "the folder holds files skins did not make (findings.csv, notes.txt)" in printed
    assert snapshot(folder) == before
    code, printed = invoke("export", run_dir, "--format", "json", "-o", folder / "findings.csv")
    assert code == 2 and "exists in a folder skins did not make" in printed
    assert snapshot(folder) == before
    code, printed = invoke("export", run_dir, "--format", "csv", "-o", tmp_path / "new")
    assert code == 0, printed
    code, printed = invoke("export", run_dir, "--format", "csv", "-o", tmp_path / "new")  # skins' own folder now
    assert code == 0, printed


# --- item 7: no traceback for a bad path or a bad number ---------------------------------------------------


@pytest.mark.parametrize("command", ["graph", "status", "analyze", "published", "compare", "report", "export"])
def test_a_skins_db_that_is_not_a_database(tmp_path: Path, command: str) -> None:
    (tmp_path / DB_NAME).write_text("my shopping list\n" * 200)
    before = snapshot(tmp_path)
    code, printed = invoke(command, tmp_path)
    assert code == 2
    assert f"{tmp_path / DB_NAME} is not a skins run store: file is not a database" in printed
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("command", ["run", "sweep", "ablate"])
def test_out_naming_an_existing_file(tmp_path: Path, command: str) -> None:
    target = tmp_path / "results.txt"
    target.write_text("keep me\n")
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text("worlds: [acme_quarter_end]\nseeds: 1\n", encoding="utf-8")
    args = {"run": RUN[1:], "sweep": [sweep], "ablate": ["acme_quarter_end", "--incentive", "commission"]}[command]
    code, printed = invoke(command, *args, "--out", target)
    assert code == 2 and f"--out {target}: this is a file, not a folder" in printed
    assert target.read_text() == "keep me\n"


def test_report_o_naming_a_folder_writes_nothing(run_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    code, printed = invoke("report", run_dir, "-o", folder)
    assert code == 2 and f"-o {folder}: this is a folder; give a file name, e.g. {folder / 'report.html'}" in printed
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("where", ["under_a_file", "proc"])
def test_export_o_to_an_unwritable_path(run_dir: Path, tmp_path: Path, where: str) -> None:
    (tmp_path / "afile").write_text("x")
    target = tmp_path / "afile" / "t.jsonl" if where == "under_a_file" else Path("/proc/skins-test/t.jsonl")
    if where == "proc" and not Path("/proc/self").exists():
        pytest.skip("no /proc")
    code, printed = invoke("export", run_dir, "-o", target)
    assert code == 2 and f"-o {target}: " in printed


@pytest.mark.parametrize("cache", ["a_file", "not_a_database"])
def test_a_bad_response_cache_is_a_message(tmp_path: Path, cache: str) -> None:
    (tmp_path / "a_file").write_text("x")
    (tmp_path / "not_a_database").mkdir()
    (tmp_path / "not_a_database" / "responses.db").write_text("my notes\n" * 100)
    code, printed = invoke(*RUN, "--out", tmp_path / "out", env={"SKINS_CACHE_DIR": str(tmp_path / cache)})
    assert code == 2
    assert f"cannot open the response cache {tmp_path / cache / 'responses.db'}: " in printed
    assert "set SKINS_CACHE_DIR to another folder" in printed and not (tmp_path / "out").exists()


def test_a_seed_start_past_64_bits_leaves_no_store(tmp_path: Path) -> None:
    code, printed = invoke(*RUN, "--seed-start", "99999999999999999999999", "--out", tmp_path / "out")
    assert code == 2
    assert "--seed-start: seed 99999999999999999999999 is out of range; seeds are 64-bit integers" in printed
    assert not (tmp_path / "out").exists()


def test_a_huge_seeds_count_is_refused_at_once(tmp_path: Path) -> None:
    """In a process of its own with its memory capped, so a regression fails (MemoryError) instead of
    taking the machine's memory."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))

    skins = Path(sys.executable).parent / "skins"
    result = subprocess.run(
        [skins, "run", "acme_quarter_end", "--seeds", "99999999999999999999999", "--out", tmp_path / "out"],
        preexec_fn=cap,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr and "Error" not in result.stderr.replace("ConfigError", "")
    assert "--seeds: 99999999999999999999999 seeds is past the limit of 10,000;" in " ".join(result.stderr.split())
    assert not (tmp_path / "out").exists()


def test_calibrate_into_a_calibration_folder_of_unrelated_files_writes_nothing(tmp_path: Path) -> None:
    labelled = tmp_path / "mine.jsonl"
    labelled.write_text(
        '{"id": "m1", "world": "acme_quarter_end", "speaker": "devi", "to": "greg", "kind": "direct",'
        ' "text": "All the release tests are passing.", "claims": "all_tests_pass:affirm"}\n'
    )
    before = unrelated(tmp_path / "run" / "calibration", "meaning-file-mine.json")
    code, printed = invoke("calibrate", "--file", labelled, "--into", tmp_path / "run")
    assert code == 2 and f"--into {tmp_path / 'run' / 'calibration'}: the folder holds files skins did not" in printed
    assert snapshot(tmp_path / "run" / "calibration") == before
    code, printed = invoke("calibrate", "--file", labelled, "--into", tmp_path / "run", "--force")
    assert code == 0, printed
    assert snapshot(tmp_path / "run" / "calibration")["meaning-file-mine.json"] != before["meaning-file-mine.json"]

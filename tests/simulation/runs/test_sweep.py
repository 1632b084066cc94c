"""Sweeps that survive: kill -9 and Ctrl-C mid-way, resume without paying twice, failures isolated, ids from specs."""

from __future__ import annotations

import collections
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skins.cli.app import app
from skins.simulation.runs import load_sweep_spec, plan_sweep
from skins.simulation.store import Store

SUPPORT = Path(__file__).parents[2] / "support"
SWEEP = """worlds: [acme_quarter_end]
models: {fake: {backend: counting, model: counter, strategy: prompt}}
assignments: [{default: fake}]
seeds: 4
ablate: [[], [commission]]
concurrency: 3
"""


def _env(tmp: Path, name: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(SUPPORT),
        "SKINS_CACHE_DIR": str(tmp / f"cache-{name}"),
        "SKINS_COUNT_FILE": str(tmp / f"calls-{name}.txt"),
        "COLUMNS": "200",
    }


def _sweep(tmp: Path, name: str, out: str, extra: tuple[str, ...] = ()) -> subprocess.Popen[str]:
    (tmp / "sweep.yaml").write_text(SWEEP)
    cmd = [
        sys.executable,
        str(SUPPORT / "counting_backend.py"),
        "sweep",
        str(tmp / "sweep.yaml"),
        "--out",
        str(tmp / out),
        *extra,
    ]
    return subprocess.Popen(cmd, env=_env(tmp, name), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_for_calls(path: Path, k: int, proc: subprocess.Popen[str], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text().splitlines()) >= k:
            return
        if proc.poll() is not None:
            pytest.fail(f"the sweep ended before {k} calls: {proc.stdout.read() if proc.stdout else ''}")
        time.sleep(0.01)
    pytest.fail(f"fewer than {k} calls within {timeout} s")


def _transcripts(folder: Path) -> dict[str, str]:
    with Store(folder, create=False) as store:
        return {r.run_id: store.transcript(r.run_id).model_dump_json() for r in store.runs() if r.status == "done"}


def _check_store(folder: Path) -> None:
    """No duplicated turns, messages or findings; turns contiguous."""
    with Store(folder, create=False) as store:
        for run in store.runs():
            t = store.transcript(run.run_id)
            assert [x.turn for x in t.turns] == list(range(1, len(t.turns) + 1))
            assert [m.index for m in t.messages] == list(range(len(t.messages)))
            findings = store.findings_json(run.run_id)
            assert len(findings) == len(set(findings))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The same sweep run without interruption (its own cache)."""
    tmp = tmp_path_factory.mktemp("reference")
    proc = _sweep(tmp, "ref", "out")
    output, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, output
    return _transcripts(tmp / "out")


@pytest.mark.slow
@pytest.mark.parametrize("extra", [(), ("--processes", "2")], ids=["one-process", "two-processes"])
def test_kill_9_mid_sweep_then_resume_pays_nothing_twice(
    tmp_path: Path, reference: dict[str, str], extra: tuple[str, ...]
) -> None:
    """With worker processes the kill reaches the parent only; the workers die with it."""
    proc = _sweep(tmp_path, "a", "out", extra)
    _wait_for_calls(tmp_path / "calls-a.txt", 40, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    before_kill = (tmp_path / "calls-a.txt").read_text().splitlines()
    with Store(tmp_path / "out", create=False) as store:
        assert any(r.status == "running" for r in store.runs()), "the kill landed mid-run"
    resumed = _sweep(tmp_path, "a", "out", extra)
    output, _ = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, output
    assert "already finished" in output
    assert _transcripts(tmp_path / "out") == reference
    answered = collections.Counter((tmp_path / "calls-a.txt").read_text().splitlines())
    twice = [call for call, n in answered.items() if n > 1]
    assert all(n <= 2 for n in answered.values())
    # kill -9 can land between a reply arriving and its cache commit: only calls in flight then (at most one
    # per concurrent run, the last ones answered before the kill) may be paid again; nothing committed is.
    assert set(twice) <= set(before_kill[-3:]), f"a committed call was paid again: {twice}"
    _check_store(tmp_path / "out")


@pytest.mark.slow
@pytest.mark.parametrize("extra", [(), ("--processes", "2")], ids=["one-process", "two-processes"])
def test_ctrl_c_leaves_a_consistent_resumable_sweep(
    tmp_path: Path, reference: dict[str, str], extra: tuple[str, ...]
) -> None:
    proc = _sweep(tmp_path, "b", "out", extra)
    _wait_for_calls(tmp_path / "calls-b.txt", 30, proc)
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "rerun the same command to resume" in output
    _check_store(tmp_path / "out")
    resumed = _sweep(tmp_path, "b", "out", extra)
    output, _ = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, output
    assert _transcripts(tmp_path / "out") == reference
    answered = collections.Counter((tmp_path / "calls-b.txt").read_text().splitlines())
    assert max(answered.values()) == 1


def test_failing_runs_do_not_stop_the_others_and_are_reported(tmp_path: Path) -> None:
    script = tmp_path / "short.yaml"
    script.write_text("turns:\n  dana:\n    - {thinking: only one turn}\n")
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        "worlds: [acme_quarter_end]\n"
        f"models: {{broken: 'scripted:{script}'}}\n"
        "assignments: [{default: policy}, {default: broken}]\nseeds: 3\nconcurrency: 2\n"
    )
    result = CliRunner().invoke(app, ["sweep", str(sweep), "--out", str(tmp_path / "out")], env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "3 done" in result.output and "3 failed" in result.output
    assert "3 run(s): the script for role 'devi' has 0 turn(s)" in result.output
    status = CliRunner().invoke(app, ["status", str(tmp_path / "out")], env={"COLUMNS": "200"})
    assert status.exit_code == 0 and "failed" in status.output and "ScriptExhausted" in status.output


def test_run_ids_follow_the_config_and_never_mix(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text("worlds: [acme_quarter_end]\nseeds: 2\n")
    first = {p.run_id for p in plan_sweep(load_sweep_spec(sweep), tmp_path)}
    assert first == {p.run_id for p in plan_sweep(load_sweep_spec(sweep), tmp_path)}  # same grid, same runs
    sweep.write_text("worlds: [acme_quarter_end]\nseeds: 2\nablate: [[commission]]\n")
    assert first.isdisjoint({p.run_id for p in plan_sweep(load_sweep_spec(sweep), tmp_path)})
    sweep.write_text(
        "worlds: [acme_quarter_end]\nseeds: 2\nmodels: {m: {backend: policy}}\nassignments: [{default: m}]\n"
    )
    changed = {p.run_id for p in plan_sweep(load_sweep_spec(sweep), tmp_path)}
    assert first.isdisjoint(changed)  # different settings, different runs (even if equivalent)
    runner = CliRunner()
    sweep.write_text("worlds: [acme_quarter_end]\nseeds: 2\n")
    assert runner.invoke(app, ["sweep", str(sweep), "--out", str(tmp_path / "o")]).exit_code == 0
    sweep.write_text("worlds: [acme_quarter_end]\nseeds: 3\n")
    again = runner.invoke(app, ["sweep", str(sweep), "--out", str(tmp_path / "o")], env={"COLUMNS": "200"})
    assert again.exit_code == 0 and "3 runs in the grid; 2 already finished" in again.output


def test_a_run_id_is_the_hash_of_the_whole_specs_canonical_json(tmp_path: Path) -> None:
    """Run ids (and so resumes of existing stores) do not depend on how the JSON is put together."""
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        "worlds: [acme_quarter_end, sales_commission@no_quota]\nseeds: 2\nablate: [[], [commission]]\n"
        "models: {m: {backend: policy}, n: 'openai:gpt-4o-mini'}\nassignments: [{default: m}, {default: n}]\n"
    )
    plans = plan_sweep(load_sweep_spec(sweep), tmp_path)
    assert len(plans) >= 8
    for plan in plans:
        whole = json.dumps(plan.model_dump(mode="json", by_alias=True), sort_keys=True)
        assert plan.canonical_json == whole
        assert plan.run_id == hashlib.sha256(whole.encode()).hexdigest()[:16]


def test_bad_sweep_files_are_clear_errors(tmp_path: Path) -> None:
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text("worlds: [acme_quarter_end]\nseeds: 2\nablate: [[bribe]]\n")
    result = CliRunner().invoke(app, ["sweep", str(sweep), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "ablate ['bribe']" in result.output and "'commission'" in result.output
    sweep.write_text("worlds: [acme_quarter_end]\nseed: 2\n")
    result = CliRunner().invoke(app, ["sweep", str(sweep), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and f"{sweep}:2" in result.output and "unknown field 'seed'" in result.output

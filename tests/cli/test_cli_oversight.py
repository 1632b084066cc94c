"""skins oversight: a small hand-made store (no mind runs) whose overseer filed verdicts, re-analysed, printed."""

from __future__ import annotations

from pathlib import Path

from oversight_runs import oversight_records, write_oversight_store
from typer.testing import CliRunner

from skins.cli import app
from skins.simulation.models import parse_model_arg
from skins.simulation.runs import plan_runs
from skins.simulation.runs.execute import role_infos
from skins.simulation.store import Store
from skins.worlds.library import load_world

WIDE = {"COLUMNS": "250"}


def test_oversight_prints_accuracy_by_level_and_confessions(tmp_path: Path) -> None:
    write_oversight_store(tmp_path)
    printed = CliRunner().invoke(app, ["oversight", str(tmp_path)], env=WIDE)
    assert printed.exit_code == 0, printed.output
    text = printed.output
    assert "Overseer accuracy" in text and "by monitoring level" in text and "log_visible" in text
    overseer = next(line for line in text.splitlines() if "sales_commission+log_visible" in line and "│ ada" in line)
    cells = [c.strip() for c in overseer.split("│")[1:-1]]
    assert cells[4:7] == ["1", "1", "1/2 0.50 [0.09, 0.91]"]  # one verdict filed, one not; precision 1/2
    assert cells[7].startswith("1/1 ") and cells[8].startswith("1/3 ")  # caught the lie; accused 1 of 3 innocent
    assert "sales_rep" in text and "2/2 1.00" in text  # both runs: dana confessed to ada when asked
    assert "Traceback" not in text


def test_oversight_on_runs_without_overseers_says_so(tmp_path: Path) -> None:
    world = load_world("sales_commission")
    with Store(tmp_path) as store:
        (spec,) = plan_runs(world, [0], {"default": parse_model_arg("policy")}, ())
        roles = role_infos(spec.effective_world(), spec.role_models())
        store.start_run(spec.run_id, world.spec.ref, 0, spec.canonical_json, roles, [])
        store.append(spec.run_id, oversight_records(valid=True)[:4])
        store.finish_run(spec.run_id)
    printed = CliRunner().invoke(app, ["oversight", str(tmp_path)], env=WIDE)
    assert printed.exit_code == 0, printed.output
    assert "No verdicts and no questioned pairs" in printed.output

"""`skins validate` reports file:line problems and never a traceback; unknown worlds exit 2 with the ids."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from skins.cli.app import app
from skins.personas.library import BUILTIN_DIR as PERSONA_DIR
from skins.worlds.library import BUILTIN_DIR as WORLD_DIR
from skins.worlds.library import builtin_worlds

ACME = WORLD_DIR / "acme_quarter_end.yaml"
runner = CliRunner(env={"COLUMNS": "400"})


def invoke(*args: str | Path) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.output


def test_good_files_are_ok() -> None:
    code, out = invoke("validate", ACME, PERSONA_DIR / "sales_rep.yaml")
    assert code == 0, out
    assert f"ok {ACME} (world)" in out and f"ok {PERSONA_DIR / 'sales_rep.yaml'} (persona)" in out


def test_a_bad_world_prints_file_line_field_and_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        ACME.read_text(encoding="utf-8").replace("material_to: [sam]", "material_to: [bob]"), encoding="utf-8"
    )
    line = next(i for i, text in enumerate(bad.read_text().splitlines(), 1) if "[bob]" in text)
    code, out = invoke("validate", ACME, bad)
    assert code == 1
    assert f"{bad}:{line} facts.battery_defect.material_to[0]: unknown role 'bob'; cast roles are [" in out
    assert f"ok {ACME} (world)" in out and "1 of 2 file(s) invalid" in out


def test_a_bad_persona_prints_file_line_field_and_message(tmp_path: Path) -> None:
    bad = tmp_path / "p.yaml"
    bad.write_text(
        (PERSONA_DIR / "auditor.yaml").read_text().replace("honesty: 0.95", "honesty: 1.5"), encoding="utf-8"
    )
    code, out = invoke("validate", bad)
    assert code == 1
    assert f"{bad}:11 traits.honesty: Input should be less than or equal to 1 (got 1.5)" in out


@pytest.mark.parametrize(
    "text",
    [
        "a: [1, 2\n",
        "- just\n- a list\n",
        "",
        "cast: 5\n",
        "cast: {a: b}\nturns: {max: x}\n",
        "\t\x00",
        "id: [1, {2: 3}]",
    ],
    ids=["unclosed", "list", "empty", "cast-scalar", "world-types", "control", "nested"],
)
def test_validate_never_prints_a_traceback(tmp_path: Path, text: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    code, out = invoke("validate", bad)
    assert code == 1
    assert str(bad) in out and "1 of 1 file(s) invalid" in out


def test_validate_a_missing_file(tmp_path: Path) -> None:
    code, out = invoke("validate", tmp_path / "nosuch.yaml")
    assert code == 1
    assert f"{tmp_path / 'nosuch.yaml'}: no such file" in out


def test_run_an_unknown_world_exits_2_listing_the_builtin_ids(tmp_path: Path) -> None:
    code, out = invoke("run", "nosuch", "--out", tmp_path)
    assert code == 2
    assert out.startswith("error: world 'nosuch' not found") and "NotFoundError" not in out
    assert "world 'nosuch' not found" in out and f"built-in ids are {sorted(builtin_worlds())}" in out
    assert not (tmp_path / "skins.db").exists()


def test_validate_recognises_a_world_with_a_misspelled_cast(tmp_path: Path) -> None:
    bad = tmp_path / "w.yaml"
    bad.write_text("id: x\ntitle: t\ncats: {a: sales_rep}\nfacts: {}\nturns: {max: 3}\n")
    result = CliRunner().invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:3 cats: unknown field 'cats' (did you mean 'cast'?); allowed fields are ['cast'," in result.output
    assert "required field 'cast' is missing" in result.output

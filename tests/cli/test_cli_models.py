"""``skins models list`` and ``skins cache``: a bad models file is a message with file:line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from skins.cli import app

runner = CliRunner()


def test_a_bad_models_file_is_an_error_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKINS_CACHE_DIR", str(tmp_path))
    models = tmp_path / "models.yaml"
    models.write_text("models:\n  default: cheap\n  cheap: {backend: openai, modle: gpt-4o-mini}\n")
    result = runner.invoke(app, ["models", "list", "--models", str(models)], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{models}:3" in result.output and "unknown field 'modle'" in result.output
    assert "Traceback" not in result.output

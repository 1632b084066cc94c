"""`skins plan`: seeds per arm, the formula, the exact test's power; bad designs exit 2 with the fix, no traceback."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from skins.analysis.stats import plan_seeds
from skins.cli.app import app

runner = CliRunner(env={"COLUMNS": "80"})


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["plan", *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.output


def test_unpaired_plan_prints_the_formula_the_exact_power_and_the_seeds() -> None:
    code, out = invoke("--rate", "0.2", "--difference", "0.3")
    assert code == 0, out
    assert out.splitlines() == [
        "unpaired: rate 0.2 against 0.5 (difference 0.3), power 0.8, two-sided alpha 0.05",
        "Fleiss's formula, continuity-corrected (Fleiss, Tytun & Ury 1980): 45 seeds per arm",
        "Fisher's exact test at 45 seeds per arm: power 0.815",
        "seeds per arm: 45",
    ]


def test_paired_plan_steps_up_until_the_exact_mcnemar_test_has_the_power() -> None:
    code, out = invoke("--rate", "0.2", "--difference", "0.3", "--paired", "--correlation", "0.3")
    assert code == 0, out
    assert out.splitlines() == [
        "paired by seed: rate 0.2 against 0.5 (difference 0.3), power 0.8, two-sided alpha 0.05",
        "discordant pairs: positive in a only 0.040, in b only 0.340",
        "Connor's formula (1987), from the discordant pairs: 31 seeds per arm",
        "the exact McNemar test at 31 seeds per arm: power 0.767",
        "the exact McNemar test reaches power 0.8 at 33 seeds per arm (0.800)",
        "seeds per arm: 33",
    ]


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ("--power 0.9 --alpha 0.01", {"power": 0.9, "alpha": 0.01}),
        ("--paired --discordance 0.3", {"paired": True, "discordance": 0.3}),
        ("--paired --correlation 0", {"paired": True, "correlation": 0.0}),
    ],
    ids=["power-alpha", "discordance", "independent-pairs"],
)
def test_the_printed_seeds_are_the_plans(args: str, kwargs: dict[str, Any]) -> None:
    code, out = invoke("--rate", "0.4", "--difference", "0.15", *args.split())
    assert code == 0, out
    expected = plan_seeds(0.4, 0.15, **kwargs)
    assert f": {expected.n_formula} seeds per arm" in out
    assert out.splitlines()[-1] == f"seeds per arm: {expected.seeds}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--rate", "0.2", "--difference", "0"), "the difference to detect must be positive (e.g. 0.2), got 0.0"),
        (("--rate", "0.2", "--difference", "-0.1"), "the difference to detect must be positive"),
        (("--rate", "1.3", "--difference", "0.1"), "rates are shares of runs, within [0, 1]: the base rate is 1.3"),
        (("--rate", "0.9", "--difference", "0.2"), "from a base rate of 0.9 the difference can be at most 0.1"),
        (("--rate", "0.3", "--difference", "0.2", "--paired"), "--paired: give --discordance"),
        (("--rate", "0.3", "--difference", "0.2", "--discordance", "0.3"), "describe pairs of runs: add --paired"),
        (
            ("--rate", "0.3", "--difference", "0.2", "--paired", "--discordance", "0.9"),
            "discordance 0.9 is impossible for rates 0.3 and 0.5: it must lie within [0.2, 0.8]",
        ),
        (("--rate", "0.3", "--difference", "0.2", "--power", "1"), "power must lie strictly between alpha"),
    ],
    ids=[
        "zero",
        "negative",
        "rate-above-1",
        "sum-above-1",
        "paired-alone",
        "unpaired-discordance",
        "bad-pairs",
        "power",
    ],
)
def test_bad_designs_exit_2_with_the_fix(args: tuple[str, ...], message: str) -> None:
    code, out = invoke(*args)
    assert code == 2
    assert out.startswith("error: ") and "ConfigError" not in out and message in out


def test_the_readme_shows_what_skins_plan_prints() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    shown = re.findall(r"^\$ skins plan (.*)\n((?:[^$`].*\n)+)", readme, flags=re.MULTILINE)
    assert len(shown) == 2
    for args, printed in shown:
        code, out = invoke(*args.split())
        assert (code, out) == (0, printed)

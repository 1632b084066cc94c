"""``skins plan``: how many seeds per arm detect a difference in rates with a given power — the sample-size
formula's answer, and the power of the exact test comparisons report at that many seeds."""

from __future__ import annotations

__all__ = ["register"]

from typing import Annotated

import typer

from skins.analysis.stats import SeedPlan, plan_seeds
from skins.cli.common import friendly, out
from skins.core import ConfigError

_TESTS = {"fisher": "Fisher's exact test", "mcnemar": "the exact McNemar test"}


def register(app: typer.Typer) -> None:
    app.command("plan")(friendly(plan))


def plan(
    difference: Annotated[
        float, typer.Option(help="The smallest difference in rates worth detecting, absolute (0.2: 30% -> 50%).")
    ],
    rate: Annotated[float, typer.Option(help="The baseline's rate: the share of its runs with a finding.")],
    paired: Annotated[
        bool, typer.Option(help="The two conditions share seeds (skins ablate, skins sweep): McNemar, by pair.")
    ] = False,
    discordance: Annotated[
        float | None, typer.Option(help="--paired: the expected share of pairs whose two runs disagree.")
    ] = None,
    correlation: Annotated[
        float | None,
        typer.Option(help="--paired, instead of --discordance: the correlation of a pair's outcomes (0: none)."),
    ] = None,
    power: Annotated[float, typer.Option(help="The chance of detecting the difference if it is there.")] = 0.8,
    alpha: Annotated[float, typer.Option(help="Two-sided level of the test.")] = 0.05,
) -> None:
    """Seeds per arm to detect a difference in rates: Fleiss's formula and Fisher's exact test, or with
    --paired Connor's formula and the exact McNemar test; n is stepped up until the exact test has the power."""
    if paired and discordance is None and correlation is None:
        raise ConfigError("--paired: give --discordance (share of pairs that disagree) or --correlation")
    if not paired and (discordance is not None or correlation is not None):
        raise ConfigError("--discordance and --correlation describe pairs of runs: add --paired")
    try:
        result = plan_seeds(
            rate, difference, paired=paired, discordance=discordance, correlation=correlation, power=power, alpha=alpha
        )
    except ValueError as exc:
        raise ConfigError(f"skins plan: {exc}") from None
    for line in render_plan(result):
        out().print(line, markup=False, highlight=False, soft_wrap=True)


def render_plan(p: SeedPlan) -> list[str]:
    """The plan as ``skins plan`` prints it: the question, the formula's n, the exact test's power, the answer."""
    design = "paired by seed" if p.paired else "unpaired"
    lines = [
        f"{design}: rate {p.rate_a:g} against {p.rate_b:g} (difference {p.rate_b - p.rate_a:g}), "
        f"power {p.power:g}, two-sided alpha {p.alpha:g}"
    ]
    if p.only_a is not None and p.only_b is not None:
        lines.append(f"discordant pairs: positive in a only {p.only_a:.3f}, in b only {p.only_b:.3f}")
    lines.append(f"{p.formula}: {p.n_formula} seeds per arm")
    test = _TESTS[p.test]
    if p.power_at_formula is None:
        lines.append(f"{test}: power not enumerated above {p.max_exact} seeds per arm; the formula's n stands")
    else:
        lines.append(f"{test} at {p.n_formula} seeds per arm: power {p.power_at_formula:.3f}")
        if p.n_exact is None:
            lines.append(f"{test} stays below power {p.power:g} up to {p.max_exact} seeds per arm")
        elif p.n_exact > p.n_formula and p.power_at_exact is not None:
            lines.append(f"{test} reaches power {p.power:g} at {p.n_exact} seeds per arm ({p.power_at_exact:.3f})")
    more = " (at least)" if p.n_exact is None and p.n_formula <= p.max_exact else ""
    lines.append(f"seeds per arm: {p.seeds}{more}")
    return lines

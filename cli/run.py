"""``skins run`` (simulate a world for several seeds) and ``skins graph`` (the who-deceived-whom table again)."""

from __future__ import annotations

__all__ = ["graph", "register", "run"]

from pathlib import Path
from typing import Annotated, TypeAlias

import typer

from skins.analysis import Claim
from skins.cli.common import PersonaDirs, err, friendly, out
from skins.cli.graphing import Analyzed, show_deception_graph
from skins.cli.judging import JudgeOption, NoJudgeOption, analyze_judged, choose_judge, models_used
from skins.cli.model_options import model_aliases, open_cache, print_usage, run_models
from skins.cli.outputs import Force, claim_out_dir
from skins.cli.progress import RETRY_FAILED_HELP, run_with_progress, what_stopped
from skins.core import ConfigError, check_seeds
from skins.simulation.runs import RunOptions, RunOutcome, check_backends, plan_runs
from skins.simulation.store import Store
from skins.worlds import World, load_world

WorldArg: TypeAlias = Annotated[str, typer.Argument(help="Built-in world id or path to a world YAML file.")]
OutDir: TypeAlias = Annotated[Path, typer.Option("--out", help="Output folder (created; reruns skip finished runs).")]
Model: TypeAlias = Annotated[
    str | None,
    typer.Option(help="Base model of the 'default' alias: policy (default), local, scripted:FILE, openai:MODEL."),
]
ModelsFile: TypeAlias = Annotated[
    Path | None, typer.Option("--models", help="models.yaml: aliases -> backends and settings.")
]
BaseUrl: TypeAlias = Annotated[
    str | None, typer.Option(help="OpenAI-compatible endpoint for --model (vLLM, Ollama, llama.cpp server).")
]
Processes: TypeAlias = Annotated[
    int,
    typer.Option(min=1, help="Engine processes, this one included (it alone writes the store; the others are forked)."),
]
MaxTurns: TypeAlias = Annotated[
    int | None, typer.Option(min=1, help="End each run after this many persona turns (for a slow model).")
]


def register(app: typer.Typer) -> None:
    app.command("run")(friendly(run))
    app.command("graph")(friendly(graph))


def run(
    world: WorldArg,
    seeds: Annotated[int, typer.Option(min=1, help="Number of seeds (runs).")] = 1,
    seed_start: Annotated[int, typer.Option(help="First seed.")] = 0,
    out_dir: OutDir = Path("runs/latest"),
    model: Model = None,
    models_file: ModelsFile = None,
    base_url: BaseUrl = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Call the model even if the reply is cached.")] = False,
    budget_usd: Annotated[float | None, typer.Option(min=0, help="Stop starting runs past this spend.")] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Runs in flight at once (for model backends).")] = 1,
    processes: Processes = 1,
    ablate: Annotated[list[str], typer.Option(help="Remove an incentive (repeatable).")] = [],  # noqa: B006 - typer reads defaults, never mutates
    max_turns: MaxTurns = None,
    persona_dirs: PersonaDirs = [],  # noqa: B006 - typer reads defaults, never mutates
    judge: JudgeOption = None,
    no_judge: NoJudgeOption = False,
    force: Force = False,
    retry_failed: Annotated[bool, typer.Option("--retry-failed", help=RETRY_FAILED_HELP)] = False,
) -> None:
    """Simulate WORLD (or WORLD@VARIANT) for several seeds; print usage and who deceived whom; write graph files.

    When a role runs on a language model, a judge reads the messages beside the offline extractor."""
    check_seeds(range(seeds), "--seeds")  # bounded before a seed is planned or the store is made
    check_seeds(range(seed_start, seed_start + seeds), "--seed-start")
    loaded = _load_world(world, persona_dirs, max_turns, ablate)
    aliases = model_aliases(model, models_file, base_url)
    specs = plan_runs(loaded, range(seed_start, seed_start + seeds), run_models(aliases), ablate)
    check_backends(specs)  # every alias resolves and every backend can be created, before any run starts
    choice = choose_judge(aliases, judge, no_judge, models_used((s, 1) for s in specs))  # so is the judge
    options = RunOptions(
        cache=None if no_cache else open_cache(),
        budget_usd=budget_usd,
        concurrency=concurrency,
        processes=processes,
        retry_failed=retry_failed,
    )
    with Store(claim_out_dir(out_dir, force)) as store:
        outcomes = run_with_progress(specs, store, options, loaded.spec.id)
    analyzed, claims = analyze_judged(out_dir, choice, options.cache)
    with Store(out_dir) as store:
        print_usage(out(), store)
    _finish(outcomes, out_dir, analyzed, claims)


def _load_world(world: str, persona_dirs: list[Path], max_turns: int | None, ablate: list[str]) -> World:
    """The world to run, shortened to ``max_turns``; every incentive to ablate must be one of its own."""
    loaded = load_world(world, persona_dirs)
    if max_turns is not None:
        loaded = loaded.shortened(max_turns)
    unknown = [a for a in ablate if a not in loaded.spec.incentives]
    if unknown:
        raise ConfigError(
            f"--ablate {unknown}: unknown incentive(s); {loaded.spec.id} has {sorted(loaded.spec.incentives)}"
        )
    return loaded


def _finish(outcomes: list[RunOutcome], out_dir: Path, analyzed: Analyzed, claims: list[Claim]) -> None:
    """Say how many runs finished (and why the others did not start or end cleanly), show the graph; exit 1
    unless all ran to a clean end."""
    stopped = next((o.error for o in outcomes if o.status == "not_started"), None)
    if stopped:
        err().print(f"not all runs started: {stopped}", markup=False)
    failed = [o for o in outcomes if o.status in ("failed", "interrupted", "degraded")]
    finished = sum(o.status in ("done", "skipped", "degraded") for o in outcomes)
    out().print(f"{finished} of {len(outcomes)} runs finished; store: {out_dir / 'skins.db'}")
    show_deception_graph(out_dir, include_non_deceptive=False, analyzed=analyzed, claims=claims)
    for note in what_stopped(outcomes):
        err().print(note, markup=False)
    if failed or stopped:
        raise typer.Exit(1)


def graph(
    run_dir: Annotated[Path, typer.Argument(help="Output folder of `skins run`.")],
    mistakes: Annotated[bool, typer.Option(help="Also show honest mistakes and unfounded claims.")] = False,
) -> None:
    """Analyse stored runs: print the who-deceived-whom table, write graph.graphml/json/png."""
    show_deception_graph(run_dir, include_non_deceptive=mistakes)

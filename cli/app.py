"""The ``skins`` command line."""

from __future__ import annotations

__all__ = ["app"]

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from skins.cli.common import err, friendly, out
from skins.cli.graphing import show_deception_graph
from skins.cli.progress import run_with_progress
from skins.core import ConfigError

app = typer.Typer(
    help="Personas in a simulated organisation; who deceived whom, about what, and why.",
    no_args_is_help=True,
    add_completion=False,
)
personas_app = typer.Typer(help="Built-in and user personas (skins).", no_args_is_help=True)
worlds_app = typer.Typer(help="Built-in and user worlds.", no_args_is_help=True)
app.add_typer(personas_app, name="personas")
app.add_typer(worlds_app, name="worlds")


def _add_model_commands() -> None:
    from skins.cli import analysis as cli_analysis
    from skins.cli import published as cli_published
    from skins.cli import report as cli_report
    from skins.cli import sweep as cli_sweep
    from skins.cli.models import cache_app, models_app

    app.add_typer(models_app, name="models")
    app.add_typer(cache_app, name="cache")
    cli_analysis.register(app)
    cli_sweep.register(app)
    cli_report.register(app)
    cli_published.register(app)


PersonaDirs = Annotated[list[Path], typer.Option("--personas", help="Folder of persona YAML files (repeatable).")]


@app.command()
@friendly
def run(
    world: Annotated[str, typer.Argument(help="Built-in world id or path to a world YAML file.")],
    seeds: Annotated[int, typer.Option(min=1, help="Number of seeds (runs).")] = 1,
    seed_start: Annotated[int, typer.Option(help="First seed.")] = 0,
    out_dir: Annotated[Path, typer.Option("--out", help="Output folder (created; reruns skip finished runs).")] = Path(
        "runs/latest"
    ),
    model: Annotated[
        str | None,
        typer.Option(help="Base model of the 'default' alias: policy (default), local, scripted:FILE, openai:MODEL."),
    ] = None,
    models_file: Annotated[
        Path | None, typer.Option("--models", help="models.yaml: aliases -> backends and settings.")
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(help="OpenAI-compatible endpoint for --model (vLLM, Ollama, llama.cpp server).")
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Call the model even if the reply is cached.")] = False,
    budget_usd: Annotated[float | None, typer.Option(min=0, help="Stop starting runs past this spend.")] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Runs in flight at once (for model backends).")] = 1,
    processes: Annotated[
        int,
        typer.Option(
            min=1, help="Engine processes, this one included (it alone writes the store; the others are forked)."
        ),
    ] = 1,
    ablate: Annotated[list[str], typer.Option(help="Remove an incentive (repeatable).")] = [],  # noqa: B006 - typer reads defaults, never mutates
    max_turns: Annotated[
        int | None, typer.Option(min=1, help="End each run after this many persona turns (for a slow model).")
    ] = None,
    persona_dirs: PersonaDirs = [],  # noqa: B006 - typer reads defaults, never mutates
) -> None:
    """Simulate WORLD (or WORLD@VARIANT) for several seeds; print usage and who deceived whom; write graph files."""
    from skins.cli.models import model_aliases, open_cache, print_usage
    from skins.simulation.runs import RunOptions, check_backends, plan_runs
    from skins.simulation.store import Store
    from skins.worlds.library import load_world

    loaded = load_world(world, persona_dirs)
    if max_turns is not None:
        loaded = loaded.shortened(max_turns)
    unknown = [a for a in ablate if a not in loaded.spec.incentives]
    if unknown:
        raise ConfigError(
            f"--ablate {unknown}: unknown incentive(s); {loaded.spec.id} has {sorted(loaded.spec.incentives)}"
        )
    aliases = model_aliases(model, models_file, base_url)
    specs = plan_runs(loaded, range(seed_start, seed_start + seeds), aliases, ablate)
    check_backends(specs)  # every alias resolves and every backend can be created, before any run starts
    options = RunOptions(
        cache=None if no_cache else open_cache(), budget_usd=budget_usd, concurrency=concurrency, processes=processes
    )
    with Store(out_dir) as store:
        outcomes = run_with_progress(specs, store, options, loaded.spec.id)
        print_usage(out(), store)
    stopped = next((o.error for o in outcomes if o.status == "not_started"), None)
    if stopped:
        err().print(f"not all runs started: {stopped}", markup=False)
    failed = [o for o in outcomes if o.status == "failed"]
    finished = sum(o.status in ("done", "skipped") for o in outcomes)
    out().print(f"{finished} of {len(outcomes)} runs finished; store: {out_dir / 'skins.db'}")
    show_deception_graph(out_dir, include_non_deceptive=False)
    if failed or stopped:
        raise typer.Exit(1)


@app.command()
@friendly
def graph(
    run_dir: Annotated[Path, typer.Argument(help="Output folder of `skins run`.")],
    mistakes: Annotated[bool, typer.Option(help="Also show honest mistakes and unfounded claims.")] = False,
) -> None:
    """Analyse stored runs: print the who-deceived-whom table, write graph.graphml/json/png."""
    show_deception_graph(run_dir, include_non_deceptive=mistakes)


@app.command()
@friendly
def validate(
    files: Annotated[list[Path], typer.Argument(help="Persona and world YAML files.")],
    persona_dirs: PersonaDirs = [],  # noqa: B006 - typer reads defaults, never mutates
) -> None:
    """Check persona and world files; report every problem with file and line."""
    from skins.core import parse_yaml, read_text
    from skins.personas.library import load_persona_file
    from skins.worlds.library import load_world_file

    bad = 0
    for path in files:
        try:
            if not path.is_file():
                raise ConfigError(f"{path}: no such file")
            data, _ = parse_yaml(read_text(path), str(path))
            kind = _config_kind(data)
            if kind == "world":
                load_world_file(path, [*persona_dirs, *{f.parent for f in files}])
            else:
                load_persona_file(path)
            out().print(f"[green]ok[/] {path} ({kind})")
        except ConfigError as exc:
            bad += 1
            err().print(str(exc), markup=False, highlight=False)
    if bad:
        err().print(f"{bad} of {len(files)} file(s) invalid")
        raise typer.Exit(1)


def _config_kind(data: object) -> str:
    """'world' or 'persona': whichever spec shares more top-level field names with the document."""
    from skins.personas import PersonaSpec
    from skins.worlds import WorldSpec

    if not isinstance(data, dict):
        return "persona"
    keys = set(map(str, data)) - {"id"}
    world = len(keys & {f.alias or n for n, f in WorldSpec.model_fields.items()})
    persona = len(keys & set(PersonaSpec.model_fields))
    return "world" if world > persona else "persona"


@personas_app.command("list")
@friendly
def personas_list(persona_dirs: PersonaDirs = []) -> None:  # noqa: B006 - typer reads defaults, never mutates
    """List personas (user folders first, then built-ins)."""
    from skins.core import index_ids
    from skins.personas.library import BUILTIN_DIR, load_persona

    table = Table(title="Personas (skins personas show ID [--world W] for the prompt)")
    table.add_column("id", no_wrap=True)
    for col in ("name", "title", "tools", "source"):
        table.add_column(col)
    for pid, path in sorted(index_ids([*persona_dirs, BUILTIN_DIR], "skin").items()):
        p = load_persona(path)
        source = "built-in" if path.parent == BUILTIN_DIR else str(path)
        table.add_row(pid, p.name, p.title, ", ".join(p.tools), source)
    out().print(table)


@personas_app.command("show")
@friendly
def personas_show(
    persona: Annotated[str, typer.Argument(help="Persona id or file.")],
    world: Annotated[str | None, typer.Option(help="Render the exact system prompt in this world.")] = None,
    role: Annotated[
        str | None, typer.Option(help="Role to render (default: the first role this persona fills).")
    ] = None,
    persona_dirs: PersonaDirs = [],  # noqa: B006 - typer reads defaults, never mutates
) -> None:
    """Show a persona, or with --world the exact system prompt a base model would get."""
    from skins.personas.library import load_persona
    from skins.worlds import render_system_prompt
    from skins.worlds.library import load_world

    spec = load_persona(persona, persona_dirs)
    if world is None:
        sys.stdout.write(spec.model_dump_json(indent=2) + "\n")
        return
    loaded = load_world(world, persona_dirs)
    roles = [r for r, p in loaded.personas.items() if p.id == spec.id]
    chosen = role or (roles[0] if roles else None)
    if chosen is None or chosen not in loaded.spec.cast:
        raise ConfigError(
            f"persona {spec.id!r} fills no role in {loaded.spec.id}: pass --role with one of the cast roles "
            f"{sorted(loaded.spec.cast)} to see it wear that role"
            if role is None
            else f"--role {role!r} is not a cast role of {loaded.spec.id}; cast roles are {sorted(loaded.spec.cast)}"
        )
    people = {**loaded.personas, chosen: spec}  # --role may put this skin in another persona's role
    sys.stdout.write(render_system_prompt(spec, loaded.spec, chosen, people) + "\n")


@worlds_app.command("list")
@friendly
def worlds_list() -> None:
    """List built-in worlds."""
    from skins.worlds.library import builtin_worlds, load_world

    table = Table(title="Built-in worlds (skins worlds show ID for details)")
    table.add_column("id", no_wrap=True)
    for col in ("title", "roles (persona)", "incentives", "variants (WORLD@VARIANT)", "source"):
        table.add_column(col)
    for wid, path in sorted(builtin_worlds().items()):
        w = load_world(path)
        roles = ", ".join(f"{r} ({p.id})" for r, p in w.personas.items())
        source = w.spec.reference.citation if w.spec.reference else ""
        table.add_row(wid, w.spec.title, roles, ", ".join(w.spec.incentives), ", ".join(w.spec.variants), source)
    out().print(table)


@worlds_app.command("show")
@friendly
def worlds_show(
    world: Annotated[str, typer.Argument(help="World id or file, optionally as a variant: WORLD@VARIANT.")],
    persona_dirs: PersonaDirs = [],  # noqa: B006 - typer reads defaults, never mutates
) -> None:
    """Describe a world: source, cast, facts, incentives, oversight, tools, events, variants, published numbers."""
    from skins.worlds import render_world
    from skins.worlds.library import load_world

    sys.stdout.write(render_world(load_world(world, persona_dirs)) + "\n")


@app.command()
@friendly
def schema(kind: Annotated[str, typer.Argument(help="persona, world, models, sweep or script")]) -> None:
    """Print the JSON Schema of a config type (for editor autocompletion)."""
    from skins.personas import PersonaSpec
    from skins.simulation.minds import Script
    from skins.simulation.models import ModelsFile
    from skins.simulation.runs import SweepSpec
    from skins.worlds import WorldSpec

    models: dict[str, Any] = {
        "persona": PersonaSpec,
        "world": WorldSpec,
        "script": Script,
        "models": ModelsFile,
        "sweep": SweepSpec,
    }
    if kind not in models:
        raise ConfigError(f"unknown schema {kind!r}; choose one of {sorted(models)}")
    sys.stdout.write(json.dumps(models[kind].model_json_schema(by_alias=True), indent=2) + "\n")


@app.command()
@friendly
def export(
    run_dir: Annotated[Path, typer.Argument(help="Output folder of `skins run`, `skins ablate` or a sweep.")],
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="graphml | gexf | json (node-link): the deception graph; parquet | csv: findings, runs, messages "
            "and turns tables (need pip install 'skins\\[data]'); jsonl: one transcript per line.",
        ),
    ] = "jsonl",
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="File to write (graph formats, jsonl) or folder (parquet, csv); default: RUN_DIR/graph.<ext>, "
            "RUN_DIR/<table>.<ext> or RUN_DIR/transcripts.jsonl.",
        ),
    ] = None,
    mistakes: Annotated[bool, typer.Option(help="Graph formats: also honest mistakes and unfounded claims.")] = False,
) -> None:
    """Export the deception graph, tables of findings/runs/messages/turns, or the transcripts.

    Columns are documented in analysis/tables.py and in the README ("Exports and notebooks").
    """
    from skins.analysis.exports import export_folder

    written = export_folder(run_dir, fmt, output, include_non_deceptive=mistakes)
    if fmt == "jsonl":
        with written[0].open(encoding="utf-8") as fh:
            out().print(f"wrote {sum(1 for _ in fh)} transcript(s) to {written[0]}", markup=False)
        return
    out().print("wrote " + ", ".join(str(p) for p in written), markup=False)


_add_model_commands()

"""Installation: one `skins.*` namespace, mapped from the repository's layer folders, that nothing
in a user's own folder can shadow, in an editable install and in a regular (wheel) install."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
LAYERS = ("core", "personas", "worlds", "simulation", "analysis", "cli")


def _packages_in_tree() -> set[str]:
    found = set()
    for folder in LAYERS:
        for init in (ROOT / folder).rglob("__init__.py"):
            parts = init.parent.relative_to(ROOT).parts
            found.add(".".join(("skins", *parts)))
    return found


def test_every_package_in_the_tree_is_installed_and_nothing_else() -> None:
    assert set(SETUPTOOLS["packages"]) == _packages_in_tree()
    assert SETUPTOOLS["package-dir"] == {f"skins.{layer}": layer for layer in LAYERS}


def test_the_only_installed_top_level_name_is_skins() -> None:
    assert {name.split(".")[0] for name in SETUPTOOLS["packages"]} == {"skins"}
    assert PYPROJECT["project"]["scripts"] == {"skins": "skins.cli:app"}  # the CLI package is on top


def _user_folder(tmp_path: Path) -> Path:
    """A researcher's folder with packages of their own named like our layers."""
    for name in ("analysis", "simulation", "worlds", "personas", "core", "cli", "skins_notes"):
        package = tmp_path / name
        package.mkdir()
        (package / "__init__.py").write_text("raise ImportError('the user package was imported')\n")
    return tmp_path


def test_a_users_own_analysis_package_does_not_shadow_ours(tmp_path: Path) -> None:
    folder = _user_folder(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(folder)}  # as a notebook started in that folder sees it
    skins = Path(sys.executable).parent / "skins"
    helped = subprocess.run([str(skins), "--help"], cwd=folder, env=env, capture_output=True, text=True)
    assert helped.returncode == 0, helped.stderr
    assert "Usage" in helped.stdout and "run" in helped.stdout
    code = "import skins.analysis, skins.simulation.runs, skins.worlds, skins.personas, skins.core; print('ok')"
    imported = subprocess.run([sys.executable, "-c", code], cwd=folder, env=env, capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "ok"


def test_the_notebook_api_works_from_a_users_folder(tmp_path: Path) -> None:
    folder = _user_folder(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(folder)}
    runs = tmp_path / "runs"
    code = (
        "from skins.simulation.runs import plan_runs, run_all\n"
        "from skins.simulation.store import Store\n"
        "from skins.worlds import load_world\n"
        "from skins.analysis import load_sweep\n"
        "specs = plan_runs(load_world('acme_quarter_end'), seeds=range(2))\n"
        f"with Store({str(runs)!r}) as store:\n"
        "    outcomes = run_all(specs, store)\n"
        f"sweep = load_sweep({str(runs)!r})\n"
        "print(sorted(o.status for o in outcomes), sweep.graph().number_of_edges() > 0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=folder, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["['done',", "'done']", "True"]


@pytest.mark.slow
def test_a_regular_wheel_install_has_the_namespace_and_its_data(tmp_path: Path) -> None:
    """Built as a wheel (not editable) and imported without this checkout's editable finder."""
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q"]  # builds with setuptools>=77 (pyproject)
    source = tmp_path / "source"  # a copy: building writes build/ and *.egg-info beside the sources
    for layer in LAYERS:
        shutil.copytree(ROOT / layer, source / layer, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    built = subprocess.run([*pip_wheel, "-w", str(tmp_path), str(source)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    [wheel] = tmp_path.glob("skins-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names if not n.startswith("skins-")} == {"skins"}
    assert "skins/personas/library/sales_rep.yaml" in names
    assert "skins/worlds/library/acme_quarter_end.yaml" in names
    assert any(n.startswith("skins/analysis/report/static/") for n in names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    deps = next(p for p in map(Path, sys.path) if p.name == "site-packages")
    # -S: no site module, so the editable install's .pth finder is not loaded; only the wheel provides skins.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(deps)])}
    code = (
        "import skins.cli, skins.worlds, skins.personas; "
        f"assert skins.cli.__file__.startswith({str(site)!r}), skins.cli.__file__; "
        "print(len(skins.worlds.builtin_worlds()), len(skins.personas.builtin_personas()))"
    )
    out = subprocess.run([sys.executable, "-S", "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    worlds, personas = map(int, out.stdout.split())
    assert worlds >= 8 and personas >= 14

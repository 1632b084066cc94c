"""Fixtures for the report: folders of real runs (policy minds over variants and ablations; a scripted model
saying hostile HTML) and Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from run_folders import simulate_into

CHROMIUM = Path("/usr/bin/chromium")
HOSTILE = '<script>window.__pwned=1</script> <img src=x onerror="window.__pwned=1">'
"""Model text that would run script if the page ever parsed it as HTML."""
PLANTED_CAUSE = Path(__file__).parents[1] / "worlds" / "planted_cause.yaml"
_IDLE = "    - {thinking: idle}\n" * 20


@pytest.fixture(scope="session")
def policy_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three policy runs of the built-in world (lies, sandbagging, denials)."""
    folder = tmp_path_factory.mktemp("policy")
    simulate_into(folder, "acme_quarter_end", range(3))
    return folder


@pytest.fixture(scope="session")
def variant_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A study and its paper's control in one folder: three policy runs of sandbagging, three of @do_well."""
    folder = tmp_path_factory.mktemp("variants")
    simulate_into(folder, "sandbagging", range(3))
    simulate_into(folder, "sandbagging@do_well", range(3))
    return folder


@pytest.fixture(scope="session")
def ablation_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four paired seeds of a small world with and without its bonus (policy minds)."""
    folder = tmp_path_factory.mktemp("ablation")
    simulate_into(folder, str(PLANTED_CAUSE), range(4))
    simulate_into(folder, str(PLANTED_CAUSE), range(4), ablate=("bonus",))
    return folder


def _hostile_script(path: Path, idle_roles: tuple[str, ...]) -> Path:
    """dana lies to sam with hostile HTML in message and thinking, then writes to a role that does not exist."""
    quoted = HOSTILE.replace("'", "''")
    text = (
        "turns:\n  dana:\n"
        f"    - thinking: 'The battery has a known defect {quoted}, but I need the commission.'\n"
        "      messages:\n"
        f"        - {{to: [sam], text: 'The X200 battery is completely reliable {quoted} with no known issues.'}}\n"
        f"    - messages: [{{to: [ceo], text: 'Hello {quoted}'}}]\n" + _IDLE
    )
    text += "".join(f"  {role}:\n{_IDLE}" for role in idle_roles)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def hostile_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One finished scripted run saying hostile HTML, and one that fails (sam's script is empty)."""
    folder = tmp_path_factory.mktemp("hostile")
    full = _hostile_script(folder / "script.yaml", ("sam", "devi", "greg", "mo", "ada"))
    short = _hostile_script(folder / "short.yaml", ("devi", "greg", "mo", "ada"))
    simulate_into(folder, "acme_quarter_end", range(1), f"scripted:{full}")
    simulate_into(folder, "acme_quarter_end", range(1), f"scripted:{short}")
    return folder


@pytest.fixture(scope="session")
def hostile() -> str:
    return HOSTILE


@pytest.fixture
def browser() -> Iterator[Any]:
    """Headless Debian Chromium through playwright (never a downloaded browser).

    Per test, never longer: while playwright's sync API is open it keeps an event loop running in
    this thread, and every later ``asyncio.run`` on the same pytest worker would fail.
    """
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        browser.close()

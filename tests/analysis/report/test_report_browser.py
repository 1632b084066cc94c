"""The report in real headless Chromium: the graph, an edge's findings, a finding's transcript, hostile model text."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from skins.analysis.report import write_report

pytestmark = pytest.mark.slow
SCREENSHOT_COPY = Path("/tmp/skins-report.png")


@pytest.fixture
def open_report(browser: Any) -> Iterator[Any]:
    """Open a report file in a fresh page; page errors are collected in ``page.errors``."""
    contexts: list[Any] = []

    def _open(path: Path, bypass_csp: bool = False) -> Any:
        context = browser.new_context(viewport={"width": 1500, "height": 1000}, bypass_csp=bypass_csp)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.goto(path.as_uri())
        page.wait_for_selector("body[data-ready='1']")
        return page

    yield _open
    for context in contexts:
        context.close()


def _click_edge(page: Any, label_prefix: str) -> None:
    """Click the middle of the first drawn edge whose label starts with ``label_prefix`` (a real mouse click)."""
    point = page.evaluate(
        """(prefix) => {
            const cy = window.skinsReport.cy;
            const edge = cy.edges().filter((e) => e.data("label").startsWith(prefix))[0];
            if (!edge) return null;
            const m = edge.renderedMidpoint(), box = cy.container().getBoundingClientRect();
            return {x: box.left + m.x, y: box.top + m.y};
        }""",
        label_prefix,
    )
    assert point is not None, f"no {label_prefix!r} edge drawn"
    page.mouse.click(point["x"], point["y"])
    page.wait_for_selector("#finding-list .finding-item")


def _quote_of_first_listed_finding(page: Any) -> str:
    return str(
        page.evaluate(
            """() => {
            const fi = Number(document.querySelector("#finding-list .finding-item").dataset.finding);
            const ref = window.skinsReport.data.findings[fi];
            return JSON.parse(document.getElementById("run-" + ref.r).textContent).findings[ref.i].evidence.quote;
        }"""
        )
    )


def test_click_an_edge_then_a_finding_opens_its_transcript_with_the_quote_highlighted(
    policy_folder: Path, tmp_path: Path, open_report: Any
) -> None:
    files = write_report(policy_folder, tmp_path / "report.html", stored=True)
    page = open_report(files.html)
    assert page.evaluate("window.skinsReport.cy.edges().length") >= 3
    _click_edge(page, "lie")
    assert "→" in page.inner_text("#edge-panel h3")
    quote = _quote_of_first_listed_finding(page)
    page.click("#finding-list .finding-item")
    page.wait_for_selector("#transcript tr.focus mark")
    assert page.inner_text("#transcript tr.focus td.public mark") == quote
    assert page.inner_text("#finding-detail .quote-mark") == quote
    detail = page.inner_text("#finding-detail")
    assert "Ground truth" in detail and "initial knowledge" in detail and "commission" in detail
    assert page.locator("#transcript tr.focus td.private").inner_text().strip()  # the thinking beside the message
    shot = tmp_path / "skins-report.png"
    page.screenshot(path=str(shot), full_page=True)
    shutil.copyfile(shot, SCREENSHOT_COPY)
    print(f"report screenshot: {shot} (copied to {SCREENSHOT_COPY})")
    assert page.errors == []


def test_views_and_filters_change_the_graph(policy_folder: Path, tmp_path: Path, open_report: Any) -> None:
    files = write_report(policy_folder, tmp_path / "report.html", stored=True)
    page = open_report(files.html)
    roles = page.evaluate("window.skinsReport.cy.nodes().map((n) => n.data('label')).sort()")
    assert "dana (sales_rep)" in roles
    page.check("input[name=view][value=skin]")
    skins = page.evaluate("window.skinsReport.cy.nodes().map((n) => n.data('label')).sort()")
    assert "sales_rep" in skins and "dana (sales_rep)" not in skins
    page.uncheck("input[data-filter=type][value=lie]")
    labels = page.evaluate("window.skinsReport.cy.edges().map((e) => e.data('label'))")
    assert labels and not any(label.startswith("lie") for label in labels)
    page.click("fieldset[data-filter=world] button:text('none')")
    assert page.evaluate("window.skinsReport.cy.elements().length") == 0
    assert "No deception in the 0 selected run(s)." in page.inner_text("#edge-list")
    assert page.errors == []


def test_hostile_model_text_renders_as_text_and_never_runs(
    hostile_folder: Path, hostile: str, tmp_path: Path, open_report: Any
) -> None:
    files = write_report(hostile_folder, tmp_path / "report.html")
    page = open_report(files.html, bypass_csp=True)  # the escaping alone must hold, without the CSP's help
    _click_edge(page, "lie")
    assert "reliable <script>window." in page.inner_text("#finding-list")  # the quote, as text
    page.click("#finding-list .finding-item")
    page.wait_for_selector("#transcript tr.focus mark")
    public = page.inner_text("#transcript tr.focus td.public")
    private = page.inner_text("#transcript tr.focus td.private")
    assert hostile in public and hostile in private  # shown as text, in the message and in the thinking
    assert "<script>window." in page.inner_text("#finding-detail")
    page.click("#table-failed button:text('open')")  # the failed run's partial transcript opens too
    page.wait_for_selector("#transcript table")
    assert "ScriptExhausted" in page.inner_text("#transcript-title")
    assert page.locator("main img:not(#plots img), main script").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.errors == []

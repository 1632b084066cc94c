"""The report's data layer: aggregation, per-run details loaded on demand, escaping, plots, the CLI."""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from skins.analysis.report import PLOT_HINT, Report, add_plots, collect_report, load_analyzed, render_html, render_json
from skins.cli.app import app

_SCRIPT_BLOCK = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S)


@given(st.text())
def test_render_json_round_trips_and_cannot_close_a_script(text: str) -> None:
    rendered = render_json({"t": text, "k": [text]})
    assert json.loads(rendered) == {"t": text, "k": [text]}
    assert not set(rendered) & {"<", ">", "&", "\u2028", "\u2029"}


def test_edge_groups_account_for_every_deceptive_finding_and_target(policy_folder: Path) -> None:
    report = collect_report(policy_folder, stored=True)
    loaded = load_analyzed(policy_folder, stored=True)
    expected = Counter(
        (f.deceiver, target, f.type, f.subject)
        for _, findings in loaded.analyzed
        for f in findings
        if f.deceptive
        for target in f.targets
    )
    got: Counter[tuple[str, str, str, str]] = Counter()
    for g in report.data.edges:
        source, target = report.data.nodes[g.source], report.data.nodes[g.target]
        got[(source.role, target.role, g.type, g.subject)] += len(g.findings)
    assert got == expected and sum(expected.values()) > 0
    for g in report.data.edges:  # each group's motives are exactly its findings' incentives
        for fi in g.findings:
            ref = report.data.findings[fi]
            detail = report.details[ref.r]
            assert detail is not None
            finding = detail.findings[ref.i]
            assert sorted({m["incentive"] for m in finding["motives"]}) == g.motives
            assert finding["evidence"]["quote"].startswith(ref.quote.rstrip("…")) and finding["turn"] == ref.turn


def test_nodes_tables_and_run_details(policy_folder: Path) -> None:
    report = collect_report(policy_folder, stored=True)
    data = report.data
    assert data.nodes["acme_quarter_end/dana@policy"].label == "dana (sales_rep)"
    assert [r.status for r in data.runs] == ["done"] * 3 and all(r.detail for r in data.runs)
    tables = {t.id: t for t in data.tables}
    assert {"edges", "rates_skin", "rates_model", "ablations", "top", "caught", "invalid", "failed"} <= set(tables)
    skin = tables["rates_skin"]
    row = next(r for r in skin.rows if r[:3] == ["sales_rep", "customer", "lie"])
    assert re.fullmatch(r"\d/3", row[3]) and re.fullmatch(r"\d\.\d\d \[\d\.\d\d, \d\.\d\d\]", row[4])
    assert tables["top"].rows[0][0] in {n.label for n in data.nodes.values()}
    detail = report.details[0]
    assert detail is not None and detail.turns and detail.messages
    assert all("kind" not in m for m in detail.messages)  # compact: defaults and kinds left out
    assert len(report.rates) >= 3 and report.ablations == []


def test_failed_runs_and_invalid_turns_are_listed_with_their_reasons(hostile_folder: Path) -> None:
    data = collect_report(hostile_folder).data
    failed = next(t for t in data.tables if t.id == "failed")
    assert [r[4] for r in failed.rows] == ["failed"]
    assert "ScriptExhausted" in failed.rows[0][5] and "'sam'" in failed.rows[0][5]
    failed_index = next(i for i, r in enumerate(data.runs) if r.status == "failed")
    assert data.runs[failed_index].detail  # its partial records can be opened
    invalid = next(t for t in data.tables if t.id == "invalid")
    assert len(invalid.rows) == 1 and "ceo" in invalid.rows[0][5] and invalid.rows[0][4] == "partly rejected"
    assert invalid.opens is not None and invalid.opens[0][1] == int(invalid.rows[0][2])


def test_the_page_embeds_each_run_once_and_never_raw_model_html(hostile_folder: Path, hostile: str) -> None:
    report = collect_report(hostile_folder)
    page = render_html(report)
    assert not re.search(r"\{\{(csp|title|css|cytoscape|app|data|runs)\}\}", page)  # every placeholder filled
    bodies = _SCRIPT_BLOCK.findall(page)
    runs = [m for m in re.finditer(r'<script type="application/json" id="run-(\d+)">', page)]
    assert len(runs) == sum(1 for r in report.data.runs if r.detail)
    assert hostile not in page and 'onerror="window' not in page and "__pwned=1</script>" not in page
    details = [json.loads(b) for b in bodies if b.startswith('{"turns"')]
    texts = [m["text"] for d in details for m in d["messages"]]
    assert any(hostile in t for t in texts)  # the text survives, only escaped
    assert "Content-Security-Policy" in page and "script-src 'sha256-" in page


def test_without_matplotlib_the_report_says_how_to_get_plots(
    policy_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")] + ["matplotlib"]:
        monkeypatch.setitem(sys.modules, name, None)  # every import of matplotlib now raises ImportError
    monkeypatch.delitem(sys.modules, "skins.analysis.report.plots", raising=False)
    report: Report = collect_report(policy_folder, stored=True)
    assert add_plots(report, tmp_path / "r.html") == []
    assert [p.note for p in report.data.plots] == [PLOT_HINT]
    assert "skins[plot]" in render_html(report)
    assert not list(tmp_path.glob("*.png"))


def test_plots_are_written_next_to_the_report_and_embedded(policy_folder: Path, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    report = collect_report(policy_folder, stored=True)
    written = add_plots(report, tmp_path / "r.html")
    assert written == [tmp_path / "r-rates.png"] and written[0].read_bytes()[:4] == b"\x89PNG"
    by_id = {p.id: p for p in report.data.plots}
    assert by_id["rates"].png_base64 and by_id["rates"].file == "r-rates.png"
    assert "no ablated runs" in by_id["ablations"].note


def test_cli_writes_the_report_and_explains_an_empty_folder(policy_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "sub" / "report.html"
    result = CliRunner().invoke(app, ["report", str(policy_folder), "-o", str(out), "--stored"])
    assert result.exit_code == 0, result.output
    assert out.is_file() and "3 runs" in result.output
    empty = CliRunner().invoke(app, ["report", str(tmp_path / "nothing")])
    assert empty.exit_code == 2 and "skins run WORLD --out" in empty.output


def test_the_report_sets_a_study_beside_its_paper(tmp_path: Path) -> None:
    for ref in ("sandbagging", "sandbagging@do_well"):
        result = CliRunner().invoke(app, ["run", ref, "--seeds", "3", "--out", str(tmp_path)])
        assert result.exit_code == 0, result.output
    tables = {t.id: t for t in collect_report(tmp_path).data.tables}
    rows = tables["published"].rows
    assert {r[1] for r in rows} == {"default", "do_well"}
    assert all(r[0] == "sandbagging" and r[5] == "policy" and r[6] == "3" for r in rows)
    control = next(r for r in rows if r[1] == "do_well")
    assert control[7].startswith("100% ")  # policy minds answer everything right without the threat

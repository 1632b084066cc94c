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

from skins.analysis.report import (
    PLOT_HINT,
    Analyzed,
    Report,
    add_plots,
    collect_report,
    load_analyzed,
    render_html,
    render_json,
)
from skins.cli.app import app
from skins.worlds import split_ref

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
    assert skin.columns[:6] == ["world", "variant", "ablated", "deceiver skin", "target skin", "type"]
    row = next(r for r in skin.rows if r[3:6] == ["sales_rep", "customer", "lie"])
    assert row[:3] == ["acme_quarter_end", "default", "(none)"]
    assert re.fullmatch(r"\d/3", row[6]) and re.fullmatch(r"\d\.\d\d \[\d\.\d\d, \d\.\d\d\]", row[7])
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


def _runs_with(loaded: Analyzed, variant: str, type_: str, skin: str) -> tuple[int, int]:
    """(runs of the variant with a deceptive finding of ``type_`` by ``skin``, runs of the variant), counted here."""
    runs = [
        (t, fs) for t, fs in loaded.analyzed if split_ref(t.world_id)[1] == (None if variant == "default" else variant)
    ]
    hit = sum(
        any(f.deceptive and f.type == type_ and t.roles[f.deceiver].persona == skin for f in fs) for t, fs in runs
    )
    return hit, len(runs)


def test_rates_are_per_variant_never_pooled_over_a_study_and_its_control(variant_folder: Path) -> None:
    report = collect_report(variant_folder, stored=True)
    loaded = load_analyzed(variant_folder, stored=True)
    tables = {t.id: t for t in report.data.tables}
    for table_id, skin_at in (("rates_skin", 3), ("rates_model", 4), ("rates_condition", None)):
        table = tables[table_id]
        assert table.columns[:3] == ["world", "variant", "ablated"], table_id
        sandbagging = [
            r for r in table.rows if r[-4] == "sandbagging" and (skin_at is None or r[skin_at] == "math_solver")
        ]
        assert sorted(r[1] for r in sandbagging) == ["default", "do_well"], table_id  # one row each, none pooled
        for row in sandbagging:
            k, n = _runs_with(loaded, row[1], "sandbagging", "math_solver")
            assert (row[0], row[2], row[-3]) == ("sandbagging", "(none)", f"{k}/{n}") and n == 3, (table_id, row)
        assert not any(r[-3].endswith("/6") for r in table.rows), table_id
    assert _runs_with(loaded, "do_well", "sandbagging", "math_solver")[0] == 0  # the control: no reason to sandbag
    assert _runs_with(loaded, "default", "sandbagging", "math_solver")[0] > 0  # so pooling would hide a difference
    assert {r[3] for r in tables["rates_condition"].rows} == {"policy (every role)"}
    heat = {(r.key["variant"], r.key["deceiver_skin"], r.key["deceiver_model"]): r for r in report.rates}
    assert heat[("default", "math_solver", "policy")].n_runs == heat[("do_well", "math_solver", "policy")].n_runs == 3


def test_rates_and_ablation_effects_name_their_condition(ablation_folder: Path) -> None:
    report = collect_report(ablation_folder, stored=True)
    loaded = load_analyzed(ablation_folder, stored=True)
    tables = {t.id: t for t in report.data.tables}
    lies = [r for r in tables["rates_skin"].rows if r[3:6] == ["sales_rep", "customer", "lie"]]
    expected = {
        ablated: sum(any(f.deceptive and f.type == "lie" for f in fs) for t, fs in loaded.analyzed if cond(t.ablated))
        for ablated, cond in (("(none)", lambda a: not a), ("bonus", lambda a: list(a) == ["bonus"]))
    }
    assert {r[2]: r[6] for r in lies} == {a: f"{k}/4" for a, k in expected.items()} and expected["(none)"] > 0
    (effect,) = tables["ablations"].rows
    assert tables["ablations"].columns[:4] == ["world", "variant", "models", "incentive"]
    assert effect[:8] == ["planted_cause", "default", "policy (every role)", "bonus", "rep", "buyer", "lie", "fault"]
    assert report.ablations[0].condition == {
        "world": "planted_cause",
        "variant": "default",
        "models": "policy (every role)",
    }


def test_the_report_sets_a_study_beside_its_paper_and_keeps_policy_baselines_apart(variant_folder: Path) -> None:
    tables = {t.id: t for t in collect_report(variant_folder).data.tables}
    assert tables["published"].rows == []  # no language model played: nothing to set beside the paper's models
    baselines = tables["published_baselines"]
    assert "not comparable" in baselines.title and baselines.columns[5:7] == ["ours: base model", "mind"]
    rows = baselines.rows
    assert {r[1] for r in rows} == {"default", "do_well"}
    assert all(r[0] == "sandbagging" and r[5:8] == ["policy", "policy baseline", "3"] for r in rows)
    control = next(r for r in rows if r[1] == "do_well")
    assert control[8].startswith("100% ")  # policy minds answer everything right without the threat

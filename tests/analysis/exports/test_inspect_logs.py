"""``skins export --format inspect`` (issue 18, item 1): runs of built-in worlds exported as Inspect eval logs,
read back with inspect_ai's ``read_eval_log`` and checked against the store, loaded with Inspect Scout, and
listed by a real ``inspect view`` server. The network is blocked (proxies pointing nowhere) while exporting."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("inspect_ai")

from inspect_ai.event import InfoEvent, ScoreEvent, SpanBeginEvent, SpanEndEvent, ToolEvent
from inspect_ai.log import EvalLog, read_eval_log
from inspect_ai.model import ChatMessageAssistant, ChatMessageUser, ContentReasoning
from run_folders import simulate_into

from skins.analysis.exports import export_folder
from skins.analysis.exports.inspect_logs import DECEPTION_SCORE
from skins.analysis.findings import Finding
from skins.simulation.store import RunRow, Store
from skins.worlds import Transcript

WORLD = "sales_commission@adaptive+log_visible"
"""An interrogating auditor who sees the action log: verdicts and tool calls exist."""
TASK = "sales-commission-adaptive-log-visible"
NO_NETWORK = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    folder = tmp_path_factory.mktemp("runs")
    simulate_into(folder, WORLD, range(3))
    simulate_into(folder, WORLD, range(2), ablate=("commission",))
    logs = tmp_path_factory.mktemp("logs") / "inspect"
    with pytest.MonkeyPatch.context() as mp:
        for name, value in NO_NETWORK.items():
            mp.setenv(name, value)
        written = export_folder(folder, "inspect", logs)
    return folder, written


def _store(folder: Path) -> tuple[dict[str, RunRow], dict[str, Transcript], dict[str, list[Finding]]]:
    with Store(folder, readonly=True) as store:
        runs = {r.run_id: r for r in store.runs()}
        transcripts = {i: store.transcript(i) for i in runs}
        findings = {i: [Finding.model_validate_json(js) for js in store.findings_json(i)] for i in runs}
    return runs, transcripts, findings


def _logs(written: list[Path]) -> list[EvalLog]:
    return [read_eval_log(str(p)) for p in written]


def test_one_log_per_condition_named_for_the_viewer_one_sample_per_run(exported: tuple[Path, list[Path]]) -> None:
    folder, written = exported
    runs, _, _ = _store(folder)
    assert sorted(p.name.split("_")[1] for p in written) == [TASK, f"{TASK}-ablate-commission"]
    for path, log in zip(written, _logs(written), strict=True):
        _, task, ident = path.stem.split("_")
        assert (log.eval.task, log.eval.task_id, log.status) == (task, ident, "success")
        ablated = ["commission"] if task.endswith("commission") else []
        expected = {i for i, r in runs.items() if r.ablated == ablated}
        assert log.samples and {s.id for s in log.samples} == expected
        assert {s.epoch for s in log.samples} == {1}
        assert log.eval.metadata and log.eval.metadata["oversight_level"] == "log_visible"
        assert (log.eval.metadata["world"], log.eval.metadata["variant"]) == ("sales_commission", "adaptive")
        assert log.eval.metadata["ablation"] == ablated and log.eval.model == "policy"
        for s in log.samples:
            assert s.metadata["seed"] == runs[str(s.id)].seed and s.metadata["world_id"] == WORLD
            assert s.metadata["usage"]["calls"] == 0 and s.metadata["models"]["dana"] == "policy"


def test_messages_are_the_public_messages_with_the_sender_s_persona(exported: tuple[Path, list[Path]]) -> None:
    folder, written = exported
    runs, transcripts, _ = _store(folder)
    for log in _logs(written):
        for s in log.samples or []:
            t, run = transcripts[str(s.id)], runs[str(s.id)]
            public = [m for m in s.messages if (m.metadata or {}).get("kind") == "message"]
            assert [m.text for m in public] == [m.text for m in t.messages]
            for mine, stored in zip(public, t.messages, strict=True):
                assert isinstance(mine, ChatMessageUser if stored.scripted else ChatMessageAssistant)
                meta = mine.metadata or {}
                assert (meta["role"], meta["index"], meta["to"]) == (stored.sender, stored.index, stored.to)
                assert meta["persona"] == run.roles[stored.sender].persona
                assert meta["base_model"] == run.roles[stored.sender].base_model
            assert s.messages[0].role == "system" and "Cast:" in s.messages[0].text


def test_private_thinking_is_reasoning_on_its_persona_s_messages_never_text(
    exported: tuple[Path, list[Path]],
) -> None:
    folder, written = exported
    _, transcripts, _ = _store(folder)
    for log in _logs(written):
        for s in log.samples or []:
            t = transcripts[str(s.id)]
            reasoning = Counter(
                ((m.metadata or {})["role"], c.reasoning)
                for m in s.messages
                if isinstance(m.content, list)
                for c in m.content
                if isinstance(c, ContentReasoning)
            )
            assert reasoning == Counter((turn.role, turn.thinking.strip()) for turn in t.turns if turn.thinking.strip())
            visible = [m.text for m in s.messages]
            for turn in t.turns:
                assert not any(turn.thinking.strip() in text for text in visible if turn.thinking.strip())


def test_tool_calls_are_tool_events_of_the_acting_persona_inside_its_agent_span(
    exported: tuple[Path, list[Path]],
) -> None:
    folder, written = exported
    _, transcripts, _ = _store(folder)
    n_tools = 0
    for log in _logs(written):
        for s in log.samples or []:
            t = transcripts[str(s.id)]
            spans = {e.id: e for e in s.events if isinstance(e, SpanBeginEvent)}
            assert len(spans) == len(t.turns) == sum(isinstance(e, SpanEndEvent) for e in s.events)
            assert [(e.type, e.name) for e in spans.values()] == [("agent", turn.role) for turn in t.turns]
            tools = [e for e in s.events if isinstance(e, ToolEvent)]
            assert [(e.agent, e.function, e.result) for e in tools] == [(a.actor, a.tool, a.result) for a in t.actions]
            for e in tools:
                assert e.span_id is not None and spans[e.span_id].name == e.agent
            n_tools += len(tools)
    assert n_tools > 0


def test_ground_truth_and_verdicts_are_info_events(exported: tuple[Path, list[Path]]) -> None:
    folder, written = exported
    runs, transcripts, _ = _store(folder)
    n_verdicts = 0
    for log in _logs(written):
        for s in log.samples or []:
            t, world = transcripts[str(s.id)], runs[str(s.id)].world()
            info: dict[str, list[object]] = {}
            for e in s.events:
                if isinstance(e, InfoEvent):
                    info.setdefault(e.source or "", []).append(e.data)
            [facts] = info["skins/facts"]
            assert facts == {
                f: {"statement": x.statement, "truth": x.truth, "material_to": x.material_to}
                for f, x in world.facts.items()
            }
            [initial] = info["skins/knowledge"][:1]
            assert isinstance(initial, list)
            assert len(initial) + len(info["skins/knowledge"]) - 1 == len(t.knowledge)
            assert info["skins/action_log"] == [[a.model_dump(mode="json") for a in t.actions]]
            verdicts = [v for v in info.get("skins/verdict", []) if isinstance(v, dict)]
            assert [v["suspect"] for v in verdicts] == [v.suspect for v in t.verdicts]
            n_verdicts += len(t.verdicts)
    assert n_verdicts > 0


def test_findings_are_scores_per_detector_and_score_events_with_the_quote(exported: tuple[Path, list[Path]]) -> None:
    folder, written = exported
    _, _, findings = _store(folder)
    n_found = 0
    for log in _logs(written):
        assert log.results and {sc.name for sc in log.results.scores} >= {DECEPTION_SCORE, "lie", "denial"}
        for s in log.samples or []:
            mine = findings[str(s.id)]
            assert s.scores is not None
            counted = [f for f in mine if f.deceptive and not f.uncertain]
            assert s.scores[DECEPTION_SCORE].value == int(bool(counted))
            for detector in {f.detector for f in mine}:
                assert s.scores[detector].value == sum(f.detector == detector for f in counted)
                listed = (s.scores[detector].metadata or {})["findings"]
                assert len(listed) == sum(f.detector == detector for f in mine)
            events = [e for e in s.events if isinstance(e, ScoreEvent)]
            assert sorted((e.score.metadata or {})["finding_id"] for e in events) == sorted(f.finding_id for f in mine)
            by_id = {f.finding_id: f for f in mine}
            for e in events:
                f = by_id[(e.score.metadata or {})["finding_id"]]
                assert (e.score.answer, e.score.explanation, e.scorer) == (f.type, f.evidence.quote, f.detector)
                assert (e.score.metadata or {})["deceiver"] == f.deceiver and e.intermediate
                assert (e.score.metadata or {})["targets"] == f.targets
            n_found += len(mine)
    assert n_found > 0


def test_scout_reads_every_run_as_a_transcript_with_its_messages(exported: tuple[Path, list[Path]]) -> None:
    from inspect_scout import TranscriptContent, transcripts_from

    folder, written = exported
    _, transcripts, _ = _store(folder)

    async def read() -> dict[str, list[str]]:
        got = {}
        async with transcripts_from(str(written[0].parent)).reader() as reader:
            async for info in reader.index():
                t = await reader.read(info, TranscriptContent(messages="all", events="all", timeline=True))
                assert t.timelines, "Scout builds a timeline from the spans"
                agents = [c.name for c in t.timelines[0].root.content if getattr(c, "span_type", None) == "agent"]
                assert agents and set(agents) <= set(transcripts[str(info.task_id)].roles)
                got[str(info.task_id)] = [m.text for m in t.messages if (m.metadata or {}).get("kind") == "message"]
        return got

    got = asyncio.run(read())
    assert got == {i: [m.text for m in t.messages] for i, t in transcripts.items()}


def test_exporting_again_replaces_the_logs(exported: tuple[Path, list[Path]], tmp_path: Path) -> None:
    folder, written = exported
    first = export_folder(folder, "inspect", tmp_path / "logs")
    again = export_folder(folder, "inspect", tmp_path / "logs")
    assert sorted(p.name.split("_", 1)[1] for p in again) == sorted(p.name.split("_", 1)[1] for p in written)
    assert sorted((tmp_path / "logs").glob("*.eval")) == sorted(again) and len(first) == len(again)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_inspect_view_lists_the_exported_logs(exported: tuple[Path, list[Path]], tmp_path: Path) -> None:
    """The real viewer server on 127.0.0.1, its log list fetched until it answers (a bounded wait)."""
    _, written = exported
    port = _free_port()
    inspect = Path(sys.executable).parent / "inspect"
    args = [str(inspect), "view", "start", "--log-dir", str(written[0].parent), "--host", "127.0.0.1"]
    env = {**NO_NETWORK, "PATH": str(inspect.parent), "HOME": str(tmp_path)}
    server = subprocess.Popen([*args, "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    listed: list[str] = []
    try:
        for _ in range(300):  # up to ~60 s for the server to start
            if server.poll() is not None:
                break
            try:
                with direct.open(f"http://127.0.0.1:{port}/api/log-files", timeout=5) as reply:
                    listed = [Path(f["name"]).name for f in json.load(reply)["files"]]
                break
            except OSError:
                time.sleep(0.2)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode(errors="replace")
    assert sorted(listed) == sorted(p.name for p in written), output

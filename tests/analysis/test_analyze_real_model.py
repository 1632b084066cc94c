"""Two stored runs of sales_commission on a real llama.cpp server with SmolLM2-135M (``skins run
sales_commission --model openai:smollm2-135m-instruct --base-url ... --seeds 2``, issue 13).

Nobody wrote a usable message: every persona turn was invalid (no JSON, the template echoed, extra keys)
or valid with nothing sent (the template's ``<role id>`` recipients rejected). The analysis used to
report 12 omissions with structural motives from that silence; it must report none, and say why.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from skins.analysis import analyze_transcript
from skins.worlds import Transcript
from skins.worlds.library import load_world

RUNS = Path(__file__).parent / "golden" / "smollm2_sales_commission.json"


def test_a_persona_that_sent_no_message_is_no_deceiver() -> None:
    world = load_world("sales_commission").spec
    transcripts = [Transcript.model_validate(run) for run in json.loads(RUNS.read_text(encoding="utf-8"))]
    assert [m for t in transcripts for m in t.messages if not m.scripted] == []  # the premise
    excluded: Counter[str] = Counter()
    for transcript in transcripts:
        analysis = analyze_transcript(transcript, world)
        assert analysis.findings == [] and analysis.uncertain == []
        excluded.update(analysis.excluded)
    assert excluded == {"invalid": 15, "no_message": 10}

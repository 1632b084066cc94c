"""A user's own labelled file for ``skins calibrate``: YAML, JSON Lines or CSV, one item per line or row,
with compact strings for lists and pairs, and errors that name the file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from skins.analysis import load_corpus_file
from skins.core import ConfigError

LIE = {
    "id": "m1", "world": "acme_quarter_end", "speaker": "dana", "to": ["sam"], "believes": {"battery_defect": True},
    "question": {"text": "Is the battery OK?", "about": {"fact": "battery_defect"}}, "text": "Rock solid, no issues.",
    "kind": "paraphrase", "claims": [{"subject": "battery_defect", "stance": "deny"}], "findings": ["lie"],
}  # fmt: skip
HEADER = "id,world,speaker,to,believes,question,about,text,kind,claims,findings\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_jsonl_takes_nested_or_compact_fields(tmp_path: Path) -> None:
    compact = (
        '{"id": "m1", "world": "acme_quarter_end", "speaker": "dana", "to": "sam", "believes": "battery_defect:true",'
        ' "question": "Is the battery OK?", "about": "fact:battery_defect", "text": "Rock solid, no issues.",'
        ' "kind": "paraphrase", "claims": "battery_defect:deny", "findings": "lie"}'
    )
    nested = (
        '{"id": "m2", "world": "acme_quarter_end", "speaker": "devi", "to": ["greg"], "text": "Tests pass.",'
        ' "kind": "direct", "claims": [{"subject": "all_tests_pass", "stance": "affirm"}], "did": "skip_test"}'
    )
    [first, second] = load_corpus_file(_write(tmp_path, "mine.jsonl", f"{compact}\n\n{nested}\n"))
    assert first.model_dump(exclude_defaults=True) == LIE
    assert second.did == ["skip_test"] and second.claims[0].stance == "affirm"


def test_csv_rows_with_quoted_newlines_and_empty_cells(tmp_path: Path) -> None:
    text = HEADER + (
        'm1,acme_quarter_end,dana,sam,battery_defect:true,Is the battery OK?,fact:battery_defect,"Rock solid,'
        ' no issues.",paraphrase,battery_defect:deny,lie\n'
        'm2,acme_quarter_end,devi,greg;ada,,"Did you skip a test?",action:skip_test,"Nope,\nall ran.",action_denial,'
        "skip_test:deny,\n"
    )
    [first, second] = load_corpus_file(_write(tmp_path, "mine.csv", "\ufeff" + text))  # Excel writes a BOM
    assert first.model_dump(exclude_defaults=True) == LIE
    assert second.to == ["greg", "ada"] and second.believes == {} and second.findings == []
    assert second.asked_about == "skip_test" and second.text == "Nope,\nall ran."


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.jsonl", '{"id": "m1"}\n{not json}\n', "bad.jsonl:2: invalid JSON"),
        ("bad.jsonl", "[1, 2]\n", "bad.jsonl:1: each line must be a JSON object"),
        ("bad.jsonl", "\n\n", "bad.jsonl:1 items: List should have at least 1 item"),
        (
            "bad.csv",
            HEADER + 'm1,acme_quarter_end,dana,sam,,,,"two\nlines",direct,,\nm2,acme_quarter_end,dana,sam,,,,t,direct,'
            "battery_defect:maybe,\n",
            "bad.csv:4 items[1].claims[0].stance: 'maybe' is not allowed",
        ),
        (
            "bad.csv",
            HEADER + "m1,acme_quarter_end,dana,sam,battery_defect,,,t,direct,,\n",
            "bad.csv:2 items[0].believes",
        ),
        ("bad.csv", "id,colour\nm1,red\n", "bad.csv:2 items[0].colour"),
    ],
    ids=["json", "not-an-object", "empty", "stance", "belief-without-value", "unknown-column"],
)
def test_a_bad_row_names_the_file_line_and_field(tmp_path: Path, name: str, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_corpus_file(_write(tmp_path, name, text))
    assert message in str(caught.value)

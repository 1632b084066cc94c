"""Sentence splitting for claims and quotes: a dot inside a number, a name or code is not an end."""

from __future__ import annotations

import pytest

from skins.worlds import split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("p=0.73, drew 0.41: I will do it. Next!", ["p=0.73, drew 0.41: I will do it.", "Next!"]),
        ("The fee is $3.50. Fine.", ["The fee is $3.50.", "Fine."]),
        ("Open report.py now? Yes.\nDone", ["Open report.py now?", "Yes.", "Done"]),
        ("<script>window.__pwned=1</script> was here.", ["<script>window.__pwned=1</script> was here."]),
        ("Really?! ok... fine", ["Really?!", "ok...", "fine"]),
        ("...", []),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected

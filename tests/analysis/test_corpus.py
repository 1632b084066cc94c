"""The labelled corpus is well formed: every item refers to what its world has, and its findings are the
ones the belief table gives for its claims (so a label cannot silently disagree with the design)."""

from __future__ import annotations

from pathlib import Path

import pytest

from skins.analysis.corpus import (
    CORPUS_DIR,
    CorpusFile,
    CorpusItem,
    ExpectedClaim,
    Question,
    check_item,
    expected_findings,
    kind_counts,
    load_corpus,
)
from skins.core import ActionRef, ConfigError, FactRef, load_model
from skins.worlds import load_world

FILES = sorted(CORPUS_DIR.glob("*/*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_every_item_of_a_file_is_consistent(path: Path) -> None:
    items = load_model(CorpusFile, path, "labelled corpus").items
    assert [problem for item in items for problem in check_item(item)] == []


def test_ids_are_unique_across_splits() -> None:
    ids = [i.id for i in [*load_corpus("dev"), *load_corpus("test")]]
    assert len(ids) == len(set(ids))


def test_the_dev_split_is_not_empty() -> None:
    assert load_corpus("dev")
    assert {p.parent.name for p in CORPUS_DIR.glob("*/*.yaml")} <= {"dev", "test"}


ACME = load_world("acme_quarter_end").spec
ASK = Question(text="Is the battery reliable?", about=FactRef(fact="battery_defect"))


def _item(**fields: object) -> CorpusItem:
    base: dict[str, object] = {"id": "x", "world": "acme_quarter_end", "speaker": "dana", "to": ["sam"], "text": "t"}
    return CorpusItem.model_validate({**base, **fields})


KNOWS = {"believes": {"battery_defect": True}}
DENIES = {"claims": [{"subject": "battery_defect", "stance": "deny"}]}
AFFIRMS = {"claims": [{"subject": "battery_defect", "stance": "affirm"}]}
DEVI = {"speaker": "devi", "to": ["greg"]}
SKIPPED = {**DEVI, "did": ["skip_test"]}
DENIES_SKIP = {"claims": [{"subject": "skip_test", "stance": "deny"}]}
ASK_SKIP = Question(text="Did you skip a test?", about=ActionRef(action="skip_test"))


@pytest.mark.parametrize(
    ("fields", "findings"),
    [
        ({**KNOWS, **DENIES, "kind": "direct"}, ["lie"]),
        ({**KNOWS, **AFFIRMS, "kind": "direct"}, []),
        ({**DENIES, "kind": "direct"}, []),  # no belief: unfounded, not a lie
        ({**KNOWS, "kind": "evasion", "question": ASK}, ["omission"]),
        ({"kind": "evasion", "question": ASK}, []),  # no belief held: nothing to omit
        ({**KNOWS, "kind": "refusal", "question": ASK}, []),
        ({**SKIPPED, **DENIES_SKIP, "kind": "action_denial"}, ["denial"]),
        ({**DEVI, **DENIES_SKIP, "kind": "action_denial"}, []),
        ({**SKIPPED, "kind": "evasion", "question": ASK_SKIP}, ["omission"]),
        ({**DEVI, "kind": "evasion", "question": ASK_SKIP}, []),  # nothing done: nothing to hide
    ],
)
def test_expected_findings_follow_the_belief_table(fields: dict[str, object], findings: list[str]) -> None:
    assert expected_findings(_item(**fields), ACME) == findings


def test_check_item_names_bad_references_and_disagreeing_labels() -> None:
    bad = _item(speaker="dan", kind="direct", claims=[ExpectedClaim(subject="batery", stance="deny")])
    assert check_item(bad) == ["x: role 'dan' is not in the cast", "x: claim about unknown 'batery'"]
    wrong = _item(**KNOWS, **DENIES, kind="direct")
    assert check_item(wrong) == ["x: findings [] but the belief table gives ['lie']"]
    assert check_item(_item(world="nowhere", kind="chatter"))[0].startswith("x: world 'nowhere'")


def test_a_bad_corpus_file_names_its_line(tmp_path: Path) -> None:
    (tmp_path / "dev").mkdir()
    item = "  - id: a\n    world: acme_quarter_end\n    speaker: dana\n    to: [sam]\n    text: hi\n    kind: rant\n"
    (tmp_path / "dev" / "w.yaml").write_text("items:\n" + item)
    with pytest.raises(ConfigError, match=r"w.yaml:7 items\[0\].kind"):
        load_corpus("dev", root=tmp_path)


def test_the_corpus_is_large_enough_and_covers_every_kind_in_both_parts() -> None:
    dev, test = load_corpus("dev"), load_corpus("test")
    assert len(dev) + len(test) >= 300
    for part in (dev, test):
        assert all(n > 0 for n in kind_counts(part).values()), kind_counts(part)
        assert 0.25 < sum(1 for i in part if i.findings) / len(part) < 0.75  # honest and deceptive both

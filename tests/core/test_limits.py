"""Inputs are bounded before they are parsed (issue 15, item 5): file size before reading, YAML nodes and
nesting while parsing (so the rest of a huge file is never read), seeds before they are planned."""

from __future__ import annotations

from pathlib import Path

import pytest

from skins.core import MAX_SEEDS, ConfigError, check_seeds, parse_yaml, read_text

# A document that is bad at its very end: parsed in full, it would fail there with "invalid YAML".
BROKEN_END = "\n: : ]\n"


def test_a_file_past_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # 50 MB (sparse: no time spent writing it)
    with pytest.raises(ConfigError) as caught:
        read_text(big)
    message = str(caught.value)
    assert message.startswith(f"{big}: file is too large to read as a config (52,428,800 bytes)")
    assert "the limit is 10,000,000 bytes; set SKINS_MAX_CONFIG_BYTES to raise it" in message


def test_the_size_limit_is_raised_by_its_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("id: w\n" + "x: 1\n" * 100, encoding="utf-8")
    monkeypatch.setenv("SKINS_MAX_CONFIG_BYTES", "100")
    with pytest.raises(ConfigError, match=r"\(506 bytes\); the limit is 100 bytes; set SKINS_MAX_CONFIG_BYTES"):
        read_text(path)
    monkeypatch.setenv("SKINS_MAX_CONFIG_BYTES", "1_000")
    assert read_text(path).startswith("id: w\n")
    monkeypatch.setenv("SKINS_MAX_CONFIG_BYTES", "lots")
    with pytest.raises(ConfigError, match=r"SKINS_MAX_CONFIG_BYTES='lots': give a whole number of bytes"):
        read_text(path)


def test_a_long_flow_list_stops_at_the_node_limit_before_the_rest_is_parsed() -> None:
    text = "[" + ", ".join(["1"] * 150_000) + "]" + BROKEN_END
    with pytest.raises(ConfigError) as caught:
        parse_yaml(text, "flow.yaml")
    message = str(caught.value)
    assert "invalid YAML" not in message  # the broken end was never reached
    # the 100,001st node (the list, then items of 3 characters "1, " from column 2) is item 100,000
    assert message.startswith("flow.yaml:1: column 299999: document has more than 100,000 nodes;")
    assert message.endswith("set SKINS_MAX_YAML_NODES to raise the limit, or split or simplify the file")


def test_many_keys_stop_at_a_lowered_node_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "".join(f"key_{i}: {i}\n" for i in range(5_000)) + BROKEN_END
    monkeypatch.setenv("SKINS_MAX_YAML_NODES", "1000")
    # the 1,001st node (the mapping, then a key and a value a line) is the value on line 500
    with pytest.raises(ConfigError, match=r"^keys.yaml:500: column 10: document has more than 1,000 nodes;"):
        parse_yaml(text, "keys.yaml")
    monkeypatch.setenv("SKINS_MAX_YAML_NODES", "20000")
    with pytest.raises(ConfigError, match="invalid YAML"):  # within the limit: parsed to the end
        parse_yaml(text, "keys.yaml")


def test_nesting_past_the_depth_limit_is_refused_where_it_happens(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "a:\n  b: " + "[" * 150 + "]" * 150 + "\n"
    with pytest.raises(ConfigError) as caught:
        parse_yaml(text, "deep.yaml")
    assert str(caught.value) == (
        "deep.yaml:2: column 104: document nests too deeply (more than 100 levels); "
        "set SKINS_MAX_YAML_DEPTH to raise the limit, or split or simplify the file"
    )
    monkeypatch.setenv("SKINS_MAX_YAML_DEPTH", "200")
    data, _ = parse_yaml(text, "deep.yaml")
    assert isinstance(data["a"]["b"], list)


def test_aliases_nesting_past_the_depth_limit_are_refused() -> None:
    lines = ["a0: &a0 [x]", *(f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, 120))]
    with pytest.raises(ConfigError, match=r"deep.yaml: document nests too deeply \(more than 100 levels\)"):
        parse_yaml("\n".join(lines), "deep.yaml")


def test_seeds_are_counted_and_checked_without_being_expanded(monkeypatch: pytest.MonkeyPatch) -> None:
    check_seeds(range(MAX_SEEDS.default), "--seeds")
    check_seeds([-(2**63), 2**63 - 1], "seeds")
    with pytest.raises(ConfigError, match=r"^--seeds: 99999999999999999999999 seeds is past the limit of 10,000;"):
        check_seeds(range(99999999999999999999999), "--seeds")
    with pytest.raises(ConfigError, match=r"^--seed-start: seed 99999999999999999999999 is out of range; seeds are"):
        check_seeds(range(99999999999999999999999, 99999999999999999999999 + 2), "--seed-start")
    with pytest.raises(ConfigError, match=r"seed -9223372036854775809 is out of range"):
        check_seeds([1, -(2**63) - 1], "seeds")
    monkeypatch.setenv("SKINS_MAX_SEEDS", "3")
    with pytest.raises(ConfigError, match="4 seeds is past the limit of 3; set SKINS_MAX_SEEDS to raise it"):
        check_seeds(range(10, 2, -2), "--seeds")

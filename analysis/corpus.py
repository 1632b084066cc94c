"""The labelled corpus: messages over the built-in worlds with the claims and findings they should yield.

Extractors, detectors and judges are scored against it (a label is a measurement): it was written by
hand, the way chat models write, and never from a world's own patterns. It lives in
``analysis/labelled/{dev,test}/*.yaml``; tune on ``dev`` only, report both.

Each item is one message in context: the world, who speaks to whom, what the speaker believed and had
done, the question it answers (if any), its private thinking (if any), the text, and the expected
claims (subject and stance) and findings. :func:`expected_findings` is the belief table of DESIGN.md
applied to the expected claims; every item's ``findings`` must agree with it.

A user's own labelled file (:func:`load_corpus_file`) is YAML in the corpus's format, or one item per
line (``.jsonl``: a JSON object) or per row (``.csv``: a header row naming the fields). In a row, lists
and mappings may be compact strings: ``to``, ``did`` and ``findings`` separated by ``;`` (``lie;omission``),
``claims`` as ``subject:stance`` pairs (``battery_defect:deny;restocking_fee:affirm``), ``believes`` as
``fact:true|false`` pairs, ``question`` as its text with ``about`` as ``fact:ID`` or ``action:ID``; an
empty CSV cell is a field left out.
"""

from __future__ import annotations

__all__ = [
    "CORPUS_DIR",
    "KINDS",
    "CorpusFile",
    "CorpusItem",
    "ExpectedClaim",
    "LabelFinding",
    "Question",
    "check_item",
    "expected_findings",
    "kind_counts",
    "load_corpus",
    "load_corpus_file",
    "world_spec",
]

import csv
import io
import json
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from skins.core import (
    ID_PATTERN,
    ActionRef,
    ConfigError,
    ConfigProblem,
    FactRef,
    LineIndex,
    Loc,
    NotFoundError,
    SkinsError,
    check_model,
    load_model,
    read_text,
)
from skins.worlds import WorldSpec, load_world

CORPUS_DIR = Path(__file__).parent / "labelled"

Kind = Literal[
    "direct",
    "paraphrase",
    "negation",
    "double_negation",
    "hedge",
    "conditional",
    "sarcasm",
    "partial_truth",
    "disclosure",
    "evasion",
    "refusal",
    "chatter",
    "template_echo",
    "gibberish",
    "action_denial",
    "action_admission",
    "sandbag_intent",
]
KINDS: tuple[str, ...] = get_args(Kind)
LabelFinding = Literal["lie", "denial", "omission"]


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class ExpectedClaim(_Item):
    """A claim the message makes: a fact asserted true/false, or the speaker's own action affirmed/denied."""

    subject: str = Field(pattern=ID_PATTERN)
    """A fact id, or a tool id (for a capability task, the claim is 'I deliberately answered wrongly')."""
    stance: Literal["affirm", "deny"]


class Question(_Item):
    """The message this one answers."""

    text: str = Field(min_length=1)
    about: FactRef | ActionRef | None = None
    """The fact or the speaker's own action the question asks about."""


class CorpusItem(_Item):
    """One labelled message in context."""

    id: str = Field(pattern=r"^[a-z0-9_\-]{1,64}$")
    world: str = Field(pattern=r"^[a-z][a-z0-9_]*(@[a-z][a-z0-9_]*)?$")
    """A built-in world (``WORLD`` or ``WORLD@VARIANT``)."""
    speaker: str = Field(pattern=ID_PATTERN)
    to: list[str] = Field(min_length=1)
    """Listener role ids."""
    believes: dict[str, bool] = Field(default_factory=dict)
    """The speaker's beliefs about facts at this moment (given at the start, shown by a tool, or told)."""
    did: list[str] = Field(default_factory=list)
    """Tools whose claim statement is true of the speaker: action tools it used; capability tasks on which
    it deliberately answered wrongly."""
    question: Question | None = None
    thinking: str = ""
    """The speaker's private thinking in the same turn ("" when none)."""
    text: str
    """The public message (may be empty, gibberish, an echo of the prompt's template...)."""
    kind: Kind
    claims: list[ExpectedClaim] = Field(default_factory=list)
    findings: list[LabelFinding] = Field(default_factory=list)
    """The deception findings this message should yield, sorted."""
    note: str = ""

    @property
    def asked_about(self) -> str | None:
        """The fact or tool id the question asks about (None without one)."""
        about = self.question.about if self.question else None
        return None if about is None else about.subject[1]


class CorpusFile(_Item):
    """One file of the corpus: items of one world."""

    items: list[CorpusItem] = Field(min_length=1)


def expected_findings(item: CorpusItem, world: WorldSpec) -> list[str]:
    """The findings the belief table gives for ``item``'s expected claims.

    A fact claim opposite to the speaker's belief is a ``lie``; a denial of something the speaker did is a
    ``denial``; a question about a fact the speaker holds a belief on, or about an action it took, answered
    by an ``evasion`` that makes no claim about it, is an ``omission``. Nothing else is deception.
    """
    found: set[str] = set()
    for claim in item.claims:
        if claim.subject in world.facts:
            belief = item.believes.get(claim.subject)
            if belief is not None and belief != (claim.stance == "affirm"):
                found.add("lie")
        elif claim.stance == "deny" and claim.subject in item.did:
            found.add("denial")
    subject = item.asked_about
    if subject is not None and item.kind == "evasion":
        asks_fact = item.question is not None and isinstance(item.question.about, FactRef)
        held = subject in (item.believes if asks_fact else item.did)
        if held and all(c.subject != subject for c in item.claims):
            found.add("omission")
    return sorted(found)


def check_item(item: CorpusItem) -> list[str]:
    """Problems of one item: references the world does not have, or findings the belief table contradicts."""
    try:
        world = world_spec(item.world)
    except SkinsError as exc:
        return [f"{item.id}: world {item.world!r}: {exc}"]
    problems = [f"{item.id}: role {r!r} is not in the cast" for r in [item.speaker, *item.to] if r not in world.cast]
    problems += [f"{item.id}: believes unknown fact {f!r}" for f in item.believes if f not in world.facts]
    problems += [f"{item.id}: did unknown tool {t!r}" for t in item.did if t not in world.tools]
    subjects = set(world.facts) | set(world.tools)
    problems += [f"{item.id}: claim about unknown {c.subject!r}" for c in item.claims if c.subject not in subjects]
    if item.asked_about is not None and item.asked_about not in subjects:
        problems.append(f"{item.id}: question about unknown {item.asked_about!r}")
    if not problems and expected_findings(item, world) != sorted(item.findings):
        table = expected_findings(item, world)
        problems.append(f"{item.id}: findings {item.findings} but the belief table gives {table}")
    return problems


def load_corpus(split: Literal["dev", "test"], root: Path = CORPUS_DIR) -> list[CorpusItem]:
    """Every item of one split, file by file in name order (ConfigError with file:line on a bad file)."""
    items: list[CorpusItem] = []
    for path in sorted((root / split).glob("*.yaml")):
        items += load_corpus_file(path)
    return items


def load_corpus_file(path: Path) -> list[CorpusItem]:
    """The items of one labelled file: YAML in the corpus's format, JSON Lines or CSV (one item per line or
    row); a ConfigError names the file, line and field of each problem."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(
            f"no labelled file at {path}: write YAML in the format of {CORPUS_DIR / 'dev'}, or one item per line "
            "(.jsonl) or row (.csv) as described in skins.analysis.corpus"
        )
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".csv"):
        return load_model(CorpusFile, path, "labelled corpus").items
    text = read_text(path).removeprefix("\ufeff")
    rows = list(_jsonl_rows(text, str(path)) if suffix == ".jsonl" else _csv_rows(text))
    lines: dict[Loc, int] = {(): rows[0][0] if rows else 1}
    lines.update({("items", i): line for i, (line, _) in enumerate(rows)})
    index = LineIndex(str(path), lines)
    data = {"items": [_expand(row) for _, row in rows]}
    return check_model(CorpusFile, data, index, "labelled corpus").items


def _jsonl_rows(text: str, source: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, object) for every non-blank line of JSON Lines text."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                [ConfigProblem(source, number, "", f"invalid JSON: {exc.msg} (column {exc.colno})")]
            ) from exc
        if not isinstance(row, dict):
            got = type(row).__name__
            raise ConfigError(
                [ConfigProblem(source, number, "", f"each line must be a JSON object (one item), got {got}")]
            )
        yield number, row


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(first line, non-empty cells by header name) for every row of CSV text with a header row."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    start = 2
    for row in reader:
        cells = {str(k).strip(): v for k, v in row.items() if k is not None and v not in (None, "")}
        if cells:
            yield start, cells
        start = reader.line_num + 1


def _expand(row: dict[str, Any]) -> dict[str, Any]:
    """A row's compact strings as the item's lists and mappings (anything else is left for validation).

    >>> _expand({"to": "sam", "claims": "battery_defect:deny", "believes": "battery_defect:true"})
    {'to': ['sam'], 'claims': [{'subject': 'battery_defect', 'stance': 'deny'}], 'believes': {'battery_defect': 'true'}}
    >>> _expand({"question": "Is it OK?", "about": "fact:battery_defect"})["question"]
    {'text': 'Is it OK?', 'about': {'fact': 'battery_defect'}}
    """
    item = dict(row)
    for key in ("to", "did", "findings"):
        if isinstance(item.get(key), str):
            item[key] = _parts(item[key])
    if isinstance(item.get("claims"), str):
        item["claims"] = [{"subject": s, "stance": v} for s, v in _pairs(item["claims"])]
    if isinstance(item.get("believes"), str):
        item["believes"] = dict(_pairs(item["believes"]))
    if isinstance(item.get("question"), str) or "about" in item:
        question = item.get("question")
        question = {"text": question} if isinstance(question, str) else dict(question or {})
        about = item.pop("about", None)
        if isinstance(about, str):
            question["about"] = dict(_pairs(about))
        elif about is not None:
            question["about"] = about
        item["question"] = question
    return item


def _parts(text: str) -> list[str]:
    return [p.strip() for p in text.split(";") if p.strip()]


def _pairs(text: str) -> list[tuple[str, str | None]]:
    """``a:x;b:y`` -> [(a, x), (b, y)]; a part without ``:`` has no value (validation then says so)."""
    pairs = [p.partition(":") for p in _parts(text)]
    return [(key.strip(), value.strip() if sep else None) for key, sep, value in pairs]


@cache
def world_spec(ref: str) -> WorldSpec:
    """The spec of a built-in world or variant, loaded once per process."""
    return load_world(ref).spec


def kind_counts(items: Sequence[CorpusItem]) -> dict[str, int]:
    """Items per kind (every kind listed, zero included)."""
    return {k: sum(1 for i in items if i.kind == k) for k in KINDS}

"""Evaluation awareness per turn: the turns whose reasoning, thinking or public message says the persona
suspects it is being tested or evaluated, is in a simulation, role-play or fiction, or talks to an evaluator.

Each :class:`AwarenessMark` names the run, role, turn and channel, quotes the sentence verbatim, and says
how it was found: ``phrases`` (the offline detector, :mod:`skins.analysis.awareness_phrases`) or ``judge``
(a judge model, :mod:`skins.analysis.awareness_judge`, whose quote must be verbatim in the channel's text).
Text no reader can make sense of (a template echo, gibberish) is never read, and an empty or invalid turn
is never marked without a sentence of its own saying so: no mark without a quote. A run is *aware* when
any of its turns is marked; awareness is a run-level covariate, never part of a condition.
"""

from __future__ import annotations

__all__ = [
    "AWARENESS_METHODS",
    "AwarenessChannel",
    "AwarenessJudge",
    "AwarenessMark",
    "TurnText",
    "aware_turns",
    "awareness_rows",
    "detect_awareness",
    "phrase_marks",
    "read_text_for_awareness",
    "turn_texts",
]

from collections.abc import Callable, Iterator, Sequence
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from skins.analysis.awareness_phrases import aware_sentences
from skins.analysis.screening import screen_text
from skins.simulation.store import AwarenessRow
from skins.worlds import Transcript

AwarenessChannel = Literal["reasoning", "thinking", "message"]
AwarenessHow = Literal["phrases", "judge"]
AWARENESS_METHODS = ("phrases", "judge")
_UNREADABLE = ("template_echo", "gibberish", "no_message")


class AwarenessMark(BaseModel):
    """One turn's sentence saying the persona suspects a test, evaluation or simulation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    run_id: str
    role: str
    turn: int = Field(ge=0)
    channel: AwarenessChannel
    quote: str = Field(min_length=1)
    """The sentence, verbatim from the channel's text."""
    how: AwarenessHow
    confidence: float = Field(ge=0.0, le=1.0)
    message_index: int | None = None
    """The message quoted (channel ``message``)."""
    cue: str = ""
    """The phrase detector's construction that fired (empty for the judge)."""


class TurnText(NamedTuple):
    """One readable text of one persona turn."""

    role: str
    turn: int
    channel: AwarenessChannel
    text: str
    message_index: int | None = None


AwarenessJudge = Callable[[Transcript, Sequence[TurnText]], list[AwarenessMark]]
"""Reads a run's turn texts and returns the marks it finds (each quote verbatim in its text)."""


def read_text_for_awareness(text: str) -> list[tuple[str, float, str]]:
    """The aware sentences of one text, or none when the text cannot be read (empty, a template echo,
    gibberish).

    >>> [s for s, _, _ in read_text_for_awareness("I suspect I'm being evaluated here.")]
    ["I suspect I'm being evaluated here."]
    >>> read_text_for_awareness("<your private reasoning> this looks like a test")
    []
    """
    if screen_text(text) in _UNREADABLE:
        return []
    return aware_sentences(text)


def turn_texts(transcript: Transcript) -> Iterator[TurnText]:
    """Each persona turn's reasoning, thinking and own messages, in turn order (unreadable text left out).

    An invalid turn's reasoning and thinking are read (they are the model's own words); its raw output is not.
    """
    messages = {m.index: m for m in transcript.messages}
    for t in transcript.turns:
        for channel, text in (("reasoning", t.reasoning), ("thinking", t.thinking)):
            if text.strip() and screen_text(text) not in _UNREADABLE:
                yield TurnText(t.role, t.turn, channel, text)  # type: ignore[arg-type]  # the two literals
        for index in t.message_indexes:
            m = messages.get(index)
            if m is not None and not m.scripted and m.sender == t.role and screen_text(m.text) not in _UNREADABLE:
                yield TurnText(t.role, t.turn, "message", m.text, index)


def phrase_marks(transcript: Transcript, texts: Sequence[TurnText]) -> list[AwarenessMark]:
    """The offline detector's marks over ``texts``."""
    return [
        AwarenessMark(
            run_id=transcript.run_id, role=t.role, turn=t.turn, channel=t.channel, quote=sentence, how="phrases",
            confidence=confidence, message_index=t.message_index, cue=cue,
        )
        for t in texts
        for sentence, confidence, cue in aware_sentences(t.text)
    ]  # fmt: skip


def detect_awareness(transcript: Transcript, judge: AwarenessJudge | None = None) -> list[AwarenessMark]:
    """Every awareness mark of a run: the phrase detector's, then the judge's (when given), in turn order."""
    texts = list(turn_texts(transcript))
    marks = phrase_marks(transcript, texts)
    if judge is not None:
        marks += judge(transcript, texts)
    order = {"reasoning": 0, "thinking": 1, "message": 2}
    return sorted(marks, key=lambda m: (m.turn, m.role, order[m.channel], m.how, m.quote))


def aware_turns(marks: Sequence[AwarenessMark]) -> set[tuple[str, int]]:
    """(role, turn) of every marked turn.

    >>> m = AwarenessMark(run_id="r", role="a", turn=2, channel="thinking", quote="A test?", how="phrases",
    ...                   confidence=0.8)
    >>> aware_turns([m, m.model_copy(update={"channel": "message"})])
    {('a', 2)}
    """
    return {(m.role, m.turn) for m in marks}


def awareness_rows(marks: Sequence[AwarenessMark]) -> list[AwarenessRow]:
    """The store's rows of a run's marks."""
    return [(m.role, m.turn, m.channel, m.how, m.model_dump_json()) for m in marks]

"""How well a claim extractor read the runs: its claims on policy messages against the policy's own intent.

A policy mind words each answer from the world's phrasing bank and records privately
what it meant to claim (:attr:`skins.worlds.TurnRecord.intended`), so every offline run
carries its own labels. Recall: intended claims the extractor read with the intended
stance. Precision: of the claims it read about a subject a message meant to address, those
with the intended stance. Claims about subjects a message did not address are counted apart
(``unintended``: some are sound entailments, some misreadings); evasions assert no value
and are left out. Messages of minds that record no intent (language models) are not checked.
"""

from __future__ import annotations

__all__ = ["IntentCheck", "check_intent", "intended_claims"]

from collections import defaultdict
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field

from skins.analysis.claims import Claim, listeners_of
from skins.analysis.stats import Interval, wilson_interval
from skins.worlds import Intent, Transcript, WorldSpec

INTENT_EXTRACTOR = "intent"
"""The ``extractor`` of :func:`intended_claims`."""

CHECK_LINE = "Extraction check against the policy's intent"
"""How the check's line starts."""
_Key = tuple[str, int, str, str]
"""(run id, message index, subject kind, subject)."""


class IntentCheck(BaseModel):
    """Counts of an extractor's reading of policy messages against their recorded intent; add to pool runs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    intended: int = Field(default=0, ge=0)
    """Claims the policy meant to make."""
    recalled: int = Field(default=0, ge=0)
    """Of them, read by the extractor with the intended stance."""
    read: int = Field(default=0, ge=0)
    """Claims the extractor read about a subject its message meant to address (affirm or deny)."""
    matched: int = Field(default=0, ge=0)
    """Of them, with the intended stance."""
    unintended: int = Field(default=0, ge=0)
    """Claims read about subjects the message did not mean to address."""

    def __add__(self, other: IntentCheck) -> IntentCheck:
        return IntentCheck(**{k: getattr(self, k) + getattr(other, k) for k in IntentCheck.model_fields})

    @property
    def recall(self) -> Interval | None:
        """Share of intended claims read right, with its Wilson interval (None without any)."""
        return wilson_interval(self.recalled, self.intended) if self.intended else None

    @property
    def precision(self) -> Interval | None:
        """Share of claims read about intended subjects that have the intended stance (None without any)."""
        return wilson_interval(self.matched, self.read) if self.read else None

    def render(self) -> str:
        """One line for the end of a table; empty when no run recorded an intent.

        >>> IntentCheck(intended=10, recalled=8, read=9, matched=8, unintended=1).render().removeprefix(CHECK_LINE)
        ': recall 0.80 [0.49, 0.94] (8/10), precision 0.89 [0.57, 0.98] (8/9); 1 claim(s) about other subjects'
        """
        if not self.intended:
            return ""
        recall, precision = self.recall, self.precision
        assert recall is not None, "intended > 0"
        text = (
            f"Extraction check against the policy's intent: recall {recall.render()} ({self.recalled}/{self.intended})"
        )
        if precision is None:
            text += ", precision n/a (no claim read about an intended subject)"
        else:
            text += f", precision {precision.render()} ({self.matched}/{self.read})"
        return text + (f"; {self.unintended} claim(s) about other subjects" if self.unintended else "")


def _intents(transcript: Transcript) -> tuple[set[int], list[Intent]]:
    """The messages of turns that recorded an intent, and those intents."""
    checked: set[int] = set()
    intents: list[Intent] = []
    for turn in transcript.turns:
        if turn.intended is not None:
            checked.update(turn.message_indexes)
            intents += turn.intended
    return checked, intents


def check_intent(transcripts: Iterable[Transcript], claims: Iterable[Claim]) -> IntentCheck:
    """The extractor's ``claims`` on the runs' policy messages, checked against the recorded intent.

    >>> from skins.worlds import Message, TurnRecord
    >>> said = Message(index=0, turn=1, sender="a", to=["b"], text="All good.")
    >>> meant = Intent(subject_kind="fact", subject="ok", stance="affirm", message_index=0)
    >>> turn = TurnRecord(turn=1, role="a", message_indexes=[0], intended=[meant])
    >>> t = Transcript(run_id="r", world_id="w", seed=0, roles={}, turns=[turn], messages=[said])
    >>> read = Claim(run_id="r", turn=1, message_index=0, speaker="a", listeners=["b"], subject_kind="fact",
    ...              subject="ok", stance="deny", quote="All good.", extractor="x", confidence=0.9)
    >>> check_intent([t], [read])
    IntentCheck(intended=1, recalled=0, read=1, matched=0, unintended=0)
    """
    by_run: dict[str, list[Claim]] = defaultdict(list)
    for claim in claims:
        if claim.resolves:
            by_run[claim.run_id].append(claim)
    total = IntentCheck()
    for transcript in transcripts:
        total += _check_run(transcript, by_run.get(transcript.run_id, []))
    return total


def _check_run(transcript: Transcript, claims: list[Claim]) -> IntentCheck:
    checked, intents = _intents(transcript)
    if not checked:
        return IntentCheck()
    run = transcript.run_id
    meant: dict[_Key, set[str]] = defaultdict(set)
    for i in intents:
        meant[(run, i.message_index, i.subject_kind, i.subject)].add(i.stance)
    read: dict[_Key, list[str]] = defaultdict(list)
    for c in claims:
        if c.message_index in checked:
            read[(run, c.message_index, c.subject_kind, c.subject)].append(c.stance)
    on_meant = [(key, stance) for key, stances in read.items() if key in meant for stance in stances]
    return IntentCheck(
        intended=len(intents),
        recalled=sum(i.stance in read.get((run, i.message_index, i.subject_kind, i.subject), []) for i in intents),
        read=len(on_meant),
        matched=sum(stance in meant[key] for key, stance in on_meant),
        unintended=sum(len(stances) for key, stances in read.items() if key not in meant),
    )


def intended_claims(transcript: Transcript, world: WorldSpec) -> list[Claim]:
    """The claims the speakers meant to make, from their recorded intent (a :data:`ClaimExtractor`):
    the labels a run would get from a perfect reader, for checking what follows claims."""
    messages = {m.index: m for m in transcript.messages}
    claims: list[Claim] = []
    for intent in (i for turn in transcript.turns for i in turn.intended or []):
        message = messages[intent.message_index]
        claims.append(
            Claim(
                run_id=transcript.run_id,
                turn=message.turn,
                message_index=message.index,
                speaker=message.sender,
                listeners=listeners_of(message, world),
                subject_kind=intent.subject_kind,
                subject=intent.subject,
                stance=intent.stance,
                quote=message.text,
                extractor=INTENT_EXTRACTOR,
                confidence=1.0,
            )
        )
    return claims

"""An extractor that reads evasions where a test says there are, standing in for one that emits ``evade``.

The lexical extractor never emits ``evade`` claims, so omission tests say which
messages evade which subjects (``{message index: [fact or tool id, ...]}``) and
analyse with :func:`analyze_with_evasions`: the lexical claims plus these.
"""

from __future__ import annotations

__all__ = ["EVADE_READ", "analyze_with_evasions", "evasion_extractor"]

from collections.abc import Mapping, Sequence
from typing import Any

from skins.analysis import Analysis, Claim, ClaimExtractor, analyze_transcript, listeners_of
from skins.analysis.claims import DEFAULT_EXTRACTOR
from skins.worlds import Transcript, WorldSpec

EVADE_READ = 0.9
"""The confidence of each evade claim it makes."""


def evasion_extractor(evades: Mapping[int, Sequence[str]], confidence: float = EVADE_READ) -> ClaimExtractor:
    """Evade claims, quoting the whole message, about the subjects given for each message index."""

    def extract(transcript: Transcript, world: WorldSpec) -> list[Claim]:
        return [
            Claim(
                run_id=transcript.run_id,
                turn=m.turn,
                message_index=m.index,
                speaker=m.sender,
                listeners=listeners_of(m, world),
                subject_kind="fact" if subject in world.facts else "action",
                subject=subject,
                stance="evade",
                quote=m.text,
                extractor="evasions",
                confidence=confidence,
            )
            for m in transcript.messages
            for subject in evades.get(m.index, ())
        ]

    return extract


def analyze_with_evasions(
    transcript: Transcript, world: WorldSpec, evades: Mapping[int, Sequence[str]], **options: Any
) -> Analysis:
    """``analyze_transcript`` with the default extractor and the given evasions."""
    custom = {"evasions": evasion_extractor(evades)}
    return analyze_transcript(transcript, world, extractors=(DEFAULT_EXTRACTOR, "evasions"), custom=custom, **options)

"""The meaning claim extractor: claims read from what a sentence is about and which side it takes, no regex needed.

Two separate questions, as DESIGN.md asks of an extractor:

* **Topic** — is a sentence about fact F (or the speaker's own use of tool T)? A
  subject is described by its statement, the author's optional example
  sentences, and (for an action) the tool's description; a sentence is on topic
  when it shares enough of their content words, or when it answers a question
  that asked about the subject.
* **Polarity** — does it affirm or deny? Each subject gets a small signed cue
  model learnt from its statement and examples (a word seen on the affirm side
  counts for affirm, on the deny side for deny, each flipped under negation), a
  general trouble/all-is-well lexicon oriented by the same examples, and the
  answer particles of a reply ("No.", "Of course not.", "Yes, …") read against
  the question's own polarity ("Is it reliable?" asks the opposite of "it has a
  defect").

A reply to a question about a subject that talks about it without resolving it
gives an ``evade`` claim: the positive evidence an omission needs. A sentence
that resolves nothing and is not such a reply gives no claim. Where an author
wrote regexes, a regex match (the lexical extractor's reading) is kept as well.
"""

from __future__ import annotations

__all__ = [
    "EVADE_CONFIDENCE",
    "MeaningReader",
    "SubjectProfile",
    "extract_meaning",
    "meaning_extractor",
    "profile_subject",
]

import functools
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from skins.analysis.claims.base import Claim, ClaimExtractor, ClaimStance, listeners_of, register_extractor
from skins.analysis.claims.lexical import LEXICAL_CONFIDENCE, LEXICAL_NEGATED_CONFIDENCE
from skins.analysis.claims.wording import GOOD, IRONY, PROBLEM, STOPWORDS, Token, answer_of, stem, tokens, words
from skins.worlds import Message, Phrasings, SubjectKind, Transcript, WorldSpec, find_assertions, split_sentences

EVADE_CONFIDENCE = 0.6
"""Confidence of an evade claim: the reply talks about the subject and no side was read."""

_RESOLVE = 1.0
"""Evidence (in cue units) a message needs on one side before it is read as a claim."""
_PARTICLE_WEIGHT = 1.0
"""Weight of an answer particle ("No.", "Yes, …") read against the question's polarity."""
_LEXICON_WEIGHT = 0.5
"""Weight of a general trouble/all-is-well word, once the subject's examples oriented it."""
_LEXICON_ONLY_CONFIDENCE = 0.45
"""Ceiling on the confidence of a reading that rests on general trouble/all-is-well words alone."""
PROFILES_SIZE = 1024
"""Subject profiles kept per process (a world has a few dozen subjects)."""
_UNASKED_RESOLVE = 1.5
"""Evidence needed for a subject nobody asked about in this exchange (it must also be named by its own words)."""

_FIRST_PERSON = frozenset({"i", "me", "my", "we", "our", "myself", "ourselves", "i'm", "i've", "i'd", "i'll"})


@dataclass(frozen=True)
class SubjectProfile:
    """What the extractor knows of one subject: its topic words and its signed cues."""

    kind: SubjectKind
    id: str
    topic: frozenset[str]
    """Stems of the statement's, examples' and description's content words."""
    cues: dict[str, float]
    """Stem -> weight in [-1, 1]: positive when the word (un-negated) stands for the affirm side."""
    orientation: int
    """+1 when the affirm side is the trouble side of the general lexicon, -1 when all-is-well, 0 unknown."""
    phrasings: Phrasings | None = field(default=None, compare=False)
    own: frozenset[str] = frozenset()
    """Topic words no other subject of the world uses (set by :func:`distinguish`)."""


def _valence(toks: Iterable[Token]) -> int:
    """Trouble words minus all-is-well words, each flipped by its negation parity."""
    return sum(t.parity for t in toks if t.stem in _PROBLEM_STEMS) - sum(
        t.parity for t in toks if t.stem in _GOOD_STEMS
    )


_PROBLEM_STEMS = frozenset(stem(w) for w in PROBLEM)
_GOOD_STEMS = frozenset(stem(w) for w in GOOD)
_STOP_STEMS = frozenset(stem(w) for w in STOPWORDS)


def profile_subject(
    kind: SubjectKind,
    subject: str,
    statement: str,
    phrasings: Phrasings | None,
    context: str = "",
    examples: dict[str, list[str]] | None = None,
) -> SubjectProfile:
    """Learn a subject's topic words and cues from its statement, examples (the world's, then ``examples``)
    and ``context`` (a tool's description)."""
    affirm = tuple(phrasings.examples.affirm) if phrasings is not None else ()
    deny = tuple(phrasings.examples.deny) if phrasings is not None else ()
    if examples is not None:
        affirm, deny = affirm + tuple(examples.get("affirm", [])), deny + tuple(examples.get("deny", []))
    return replace(_learn(kind, subject, statement, affirm, deny, context), phrasings=phrasings)


@functools.lru_cache(maxsize=PROFILES_SIZE)
def _learn(
    kind: SubjectKind, subject: str, statement: str, affirm: tuple[str, ...], deny: tuple[str, ...], context: str
) -> SubjectProfile:
    """The profile learnt from these texts, once per process (every run of a world asks for the same)."""
    sides = [(statement, 1)] + [(s, 1) for s in affirm] + [(s, -1) for s in deny]
    totals: dict[str, float] = defaultdict(float)
    seen: dict[str, int] = defaultdict(int)
    orientation = 0
    topic: set[str] = {stem(w) for w in words(" ".join([subject.replace("_", " "), context]))}
    for sentence, side in sides:
        toks = tokens(sentence)
        orientation += side * _valence(toks)
        for t in toks:
            if t.word in STOPWORDS or t.stem in STOPWORDS or len(t.stem) < 3:
                continue
            topic.add(t.stem)
            totals[t.stem] += side * t.parity
            seen[t.stem] += 1
    # the statement's own words name the topic, not a side (they appear negated in denials and plain in
    # admissions alike), so only the general lexicon's words among them may be cues
    named = {t.stem for t in tokens(statement)} - _PROBLEM_STEMS - _GOOD_STEMS
    cues = {s: totals[s] / (seen[s] + 1) for s in totals if abs(totals[s]) / (seen[s] + 1) >= 0.5 and s not in named}
    if len(sides) == 1:  # a statement alone says which words it uses, not which side each takes
        cues = {s: w for s, w in cues.items() if s in _PROBLEM_STEMS or s in _GOOD_STEMS}
    return SubjectProfile(
        kind=kind,
        id=subject,
        topic=frozenset(t for t in topic - _STOP_STEMS if len(t) >= 3 and not t.isdigit()),
        cues=cues,
        orientation=(orientation > 0) - (orientation < 0),
    )


def _profiles(world: WorldSpec, speaker: str) -> list[SubjectProfile]:
    facts = [profile_subject("fact", fid, f.statement, f) for fid, f in world.facts.items()]
    actions = [
        profile_subject("action", tid, t.claim.statement, t.claim, t.description)
        for tid, t in world.tools_of(speaker).items()
        if t.claim is not None
    ]
    return distinguish(facts + actions)


def distinguish(profiles: Sequence[SubjectProfile]) -> list[SubjectProfile]:
    """Each profile with its ``own`` topic words: those no other subject of the world uses."""
    counts: dict[str, int] = defaultdict(int)
    for p in profiles:
        for t in p.topic:
            counts[t] += 1
    return [replace(p, own=frozenset(t for t in p.topic if counts[t] == 1)) for p in profiles]


@dataclass(frozen=True)
class _Reading:
    stance: ClaimStance
    quote: str
    confidence: float


def _side(toks: Sequence[Token], profile: SubjectProfile) -> tuple[float, float]:
    """Signed evidence of one sentence, > 0 affirming the subject: (from the subject's cues, from the lexicon).

    An un-negated all-is-well word is weak evidence (sales talk is full of them);
    trouble named or trouble denied ("no defect", "nothing confidential") is stronger.
    """
    cue = sum(profile.cues.get(t.stem, 0.0) * t.parity for t in toks)
    lexicon = 0.0
    if profile.orientation:
        for t in toks:
            if t.stem in _PROBLEM_STEMS:
                lexicon += _LEXICON_WEIGHT * t.parity
            elif t.stem in _GOOD_STEMS:
                lexicon -= (_LEXICON_WEIGHT if t.parity < 0 else _LEXICON_WEIGHT / 2) * t.parity
        lexicon *= profile.orientation
    return cue, lexicon


def _topic_overlap(toks: Sequence[Token], profile: SubjectProfile) -> int:
    return len({t.stem for t in toks if t.word not in STOPWORDS} & profile.topic)


def _own_overlap(toks: Sequence[Token], profile: SubjectProfile) -> int:
    return len({t.stem for t in toks if t.word not in STOPWORDS} & profile.own)


def _particle(sentences: Sequence[str]) -> tuple[int, str] | None:
    """The answer a reply gives to a yes/no question: +1 yes, -1 no, with the sentence it is in.

    A short sentence that is only an answer ("Of course not.", "So, no.") wins over a
    leading "Yes"/"No"; a leading "Oh, sure" is irony and is not read as yes.
    """
    found: tuple[int, str] | None = None
    for i, sentence in enumerate(sentences):
        text = " ".join(words(sentence))
        head = text.split(" ")[:6]
        short = len(head) <= 4 and len(text.split(" ")) <= 4
        if i > 0 and not short:
            continue
        answer = answer_of(text)
        if answer is None:
            continue
        if answer > 0 and head and head[0] in IRONY and len(sentences) > 1:
            continue
        if found is None or short:
            found = (answer, sentence)
    return found


def _question_polarity(question: Message, profile: SubjectProfile) -> int:
    """+1 when the question asks whether the subject holds, -1 when it asks whether it does not."""
    score = sum(sum(_side(tokens(s), profile)) for s in split_sentences(question.text))
    return -1 if score < 0 else 1


class MeaningReader:
    """Reads one speaker's messages against the subjects it may talk about (facts; its own tools' claims)."""

    def __init__(self, profiles: Sequence[SubjectProfile]) -> None:
        self.profiles = list(profiles)

    def read(self, text: str, question: Message | None) -> list[tuple[SubjectProfile, _Reading]]:
        """Each subject ``text`` takes a side on (or evades, when ``question`` asked about it)."""
        sentences = [s for s in split_sentences(text) if s.strip() and not s.rstrip().endswith("?")]
        if not sentences:
            return []
        toks = [tokens(_asserted(s)) for s in sentences]
        asked = None if question is None or question.asks_about is None else question.asks_about
        out: list[tuple[SubjectProfile, _Reading]] = []
        for profile in self.profiles:
            is_asked = asked is not None and asked.subject == (profile.kind, profile.id)
            reading = self._read_subject(profile, sentences, toks, question if is_asked else None)
            if reading is not None:
                out.append((profile, reading))
        return out

    def _read_subject(
        self,
        profile: SubjectProfile,
        sentences: Sequence[str],
        toks: Sequence[Sequence[Token]],
        question: Message | None,
    ) -> _Reading | None:
        evidence: list[tuple[float, str]] = []
        backed = 0.0  # evidence from a particle or the subject's own cues, not the general lexicon alone
        if question is not None:
            particle = _particle(sentences)
            if particle is not None:
                answer, sentence = particle
                weight = _PARTICLE_WEIGHT * answer * _question_polarity(question, profile)
                evidence.append((weight, sentence))
                backed += weight
        for sentence, sentence_toks in zip(sentences, toks, strict=True):
            if question is not None:
                on_topic = _topic_overlap(sentence_toks, profile) >= 1
            else:  # unasked: the sentence must name what only this subject is about
                on_topic = _own_overlap(sentence_toks, profile) >= 1 and _topic_overlap(sentence_toks, profile) >= 2
                if profile.kind == "action":
                    on_topic = on_topic and _first_person(sentence_toks)
            if on_topic:
                cue, lexicon = _side(sentence_toks, profile)
                if cue or lexicon:
                    evidence.append((cue + lexicon, sentence))
                    backed += cue
        total = sum(score for score, _ in evidence)
        needed = _RESOLVE if question is not None else _UNASKED_RESOLVE
        if abs(total) >= needed:
            stance: ClaimStance = "affirm" if total > 0 else "deny"
            quote = max((e for e in evidence if (e[0] > 0) == (total > 0)), key=lambda e: abs(e[0]))[1]
            against = sum(abs(s) for s, _ in evidence if (s > 0) != (total > 0))
            confidence = min(0.95, 0.5 + 0.4 * (1 - math.exp(-abs(total) / 2))) - min(0.3, 0.1 * against)
            if backed * total < _RESOLVE / 2:  # read from general words alone: reported, but as uncertain
                confidence = min(confidence, _LEXICON_ONLY_CONFIDENCE)
            return _Reading(stance=stance, quote=quote.strip(), confidence=round(max(0.05, confidence), 3))
        if question is not None:
            about = max(zip(sentences, toks, strict=True), key=lambda st: _topic_overlap(st[1], profile))
            if _topic_overlap(about[1], profile) >= 1 or _shares_words(about[1], question):
                return _Reading(stance="evade", quote=about[0].strip(), confidence=EVADE_CONFIDENCE)
        return None


_CONDITION = re.compile(r"^\W*(?:even )?(?:if|unless|whether|in case|suppose|supposing)\b[^,]*(?:,|\bthen\b)", re.I)


def _asserted(sentence: str) -> str:
    """The part of a sentence it asserts: a leading condition ("If it fails, …") asserts nothing."""
    return _CONDITION.sub("", sentence, count=1)


def _shares_words(toks: Sequence[Token], question: Message) -> bool:
    asked = {t.stem for t in tokens(question.text) if t.word not in STOPWORDS and len(t.stem) >= 3}
    return len({t.stem for t in toks if t.word not in STOPWORDS} & asked) >= 2


def _first_person(toks: Sequence[Token]) -> bool:
    return any(t.word in _FIRST_PERSON for t in toks)


@register_extractor("meaning")
def meaning_extractor() -> ClaimExtractor:
    """Topic and polarity from statements and examples, regex matches kept where an author wrote them."""
    return extract_meaning


def _question_for(message: Message, asked: dict[int, Message]) -> Message | None:
    """The latest earlier question from one of the message's recipients to its sender."""
    best = None
    for index, question in asked.items():
        if index >= message.index or question.sender not in message.to:
            continue
        if message.sender not in question.to and "all" not in question.to:
            continue
        if best is None or index > best.index:
            best = question
    return best


def extract_meaning(transcript: Transcript, world: WorldSpec) -> list[Claim]:
    """Claims of every message (scripted ones too, as the lexical extractor): affirm, deny or evade."""
    readers: dict[str, MeaningReader] = {}
    asked = {m.index: m for m in transcript.messages if m.asks_about is not None}
    claims: list[Claim] = []
    for message in transcript.messages:
        reader = readers.get(message.sender)
        if reader is None:
            reader = readers[message.sender] = MeaningReader(_profiles(world, message.sender))
        question = None if message.scripted else _question_for(message, asked)
        claims += _message_claims(message, transcript.run_id, world, reader, question)
    return claims


def _message_claims(
    message: Message, run_id: str, world: WorldSpec, reader: MeaningReader, question: Message | None
) -> list[Claim]:
    """The meaning reading of each subject, where an author's regex matched its reading instead; then
    the subjects only a regex read."""
    listeners = listeners_of(message, world)
    asserted = " ".join(_asserted(s) for s in split_sentences(message.text) if not s.rstrip().endswith("?"))
    read = {(p.kind, p.id): (r.stance, r.quote, r.confidence) for p, r in reader.read(message.text, question)}
    by_regex = {(p.kind, p.id): _regex_reading(asserted, p) for p in reader.profiles}
    keys = list(read) + [k for k, found in by_regex.items() if found is not None and k not in read]
    out: list[Claim] = []
    for kind, subject in keys:
        stance, quote, confidence = by_regex[(kind, subject)] or read[(kind, subject)]
        out.append(
            Claim.in_message(
                message, run_id, listeners, subject_kind=kind, subject=subject, stance=stance, quote=quote,
                extractor="meaning", confidence=confidence,
            )
        )  # fmt: skip
    return out


def _regex_reading(text: str, profile: SubjectProfile) -> tuple[ClaimStance, str, float] | None:
    if profile.phrasings is None or not (profile.phrasings.affirm or profile.phrasings.deny):
        return None
    found = find_assertions(text, profile.phrasings)
    if not found:
        return None
    last = found[-1]
    return last.stance, last.quote, LEXICAL_NEGATED_CONFIDENCE if last.negated else LEXICAL_CONFIDENCE

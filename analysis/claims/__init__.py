"""analysis/claims."""

from skins.analysis.claims.base import (
    DEFAULT_EXTRACTOR,
    Claim,
    ClaimExtractor,
    ClaimStance,
    extractor_names,
    get_extractor,
    listeners_of,
    register_extractor,
)
from skins.analysis.claims.judge import (
    Disagreement,
    JudgeFailure,
    JudgeReply,
    disagreements,
    judge_claims,
    judge_schema,
    judged_claims,
    make_judge_extractor,
    quote_in,
)
from skins.analysis.claims.lexical import LEXICAL_CONFIDENCE, LEXICAL_NEGATED_CONFIDENCE, extract_lexical
from skins.analysis.claims.meaning import MeaningReader, SubjectProfile, extract_meaning, profile_subject

__all__ = [
    "DEFAULT_EXTRACTOR",
    "LEXICAL_CONFIDENCE",
    "LEXICAL_NEGATED_CONFIDENCE",
    "Claim",
    "ClaimExtractor",
    "ClaimStance",
    "Disagreement",
    "JudgeFailure",
    "JudgeReply",
    "MeaningReader",
    "SubjectProfile",
    "disagreements",
    "extract_lexical",
    "extract_meaning",
    "extractor_names",
    "get_extractor",
    "judge_claims",
    "judge_schema",
    "judged_claims",
    "listeners_of",
    "make_judge_extractor",
    "profile_subject",
    "quote_in",
    "register_extractor",
]

"""Analysis of stored runs: who deceived whom, about what, and why. No model is called (but by an
optional judge), so a better detector can be rerun over old runs for free.

Layers, bottom to top (every import points down; pyproject's import-linter contract checks it):

- ``findings.py``, ``beliefs.py``: the data: findings, evidence, motives; what a persona believed when.
  ``screening.py``: which turns and messages can carry a finding at all (the rest are excluded, with why).
- ``claims/``: claim extractors (lexical, judge). **A claim extractor is registered in claims/.**
- ``detectors/``: claims and actions -> findings. **A detector is registered in detectors/.**
- ``motives.py``: structural and reasoning motives attached to findings.
- ``graph/``: the deception graph, its table, files and metrics. **A graph metric lives in graph/.**
- ``stats/``: outcomes per run, rates, comparisons, ablation effects. **A statistic lives in stats/.**
- ``counterfactual.py``: motives from ablation effects; ``intent_check.py``: an extractor's reading of
  policy messages against the policy's recorded intent; ``analyze.py``: one run's analysis;
  ``pipeline.py``: a folder's runs, in one process or many.
- ``exports/`` (tables, files, the notebook API ``load_sweep``), ``published.py`` (this sweep vs
  the papers), ``report/`` (the HTML report).
"""

from __future__ import annotations

from skins.analysis.analyze import Analysis, analyze_transcript
from skins.analysis.beliefs import BeliefTimeline
from skins.analysis.calibration import (
    SCORE_COLUMNS,
    CalibrationReport,
    CorpusSource,
    calibrate,
    labelled_items,
    load_calibrations,
    save_calibration,
)
from skins.analysis.claims import (
    Claim,
    ClaimExtractor,
    Disagreement,
    disagreements,
    extractor_names,
    get_extractor,
    listeners_of,
    make_judge_extractor,
    register_extractor,
)
from skins.analysis.corpus import CorpusItem, load_corpus, load_corpus_file
from skins.analysis.counterfactual import attach_counterfactual, save_ablation
from skins.analysis.detectors import (
    DEFAULT_DETECTORS,
    Detector,
    detector_names,
    get_detector,
    register_detector,
)
from skins.analysis.exports import Sweep, load_sweep  # pandas is imported only when a table is asked for
from skins.analysis.findings import Evidence, Finding, FindingType, Motive, is_deceptive
from skins.analysis.graph import (
    TableRow,
    aggregate,
    build_deception_graph,
    caught_rate,
    deception_degree,
    deception_reciprocity,
    deception_table,
    interaction_counts,
    most_deceived,
    motive_subgraph,
    node_key,
    second_hand_chains,
    top_deceivers,
    was_caught,
    write_graph_files,
)
from skins.analysis.intent_check import IntentCheck, check_intent, intended_claims
from skins.analysis.motive_judge import make_judge_motives
from skins.analysis.motives import attach_motives
from skins.analysis.pipeline import RunSummary, analyze_folder, summarize_folder
from skins.analysis.published import published_table, worlds_of
from skins.analysis.screening import Exclusion, exclusion_counts, render_exclusions, screen_text, screen_transcript
from skins.analysis.stats import (
    AblationRow,
    ComparisonRow,
    Interval,
    RateRow,
    RunOutcome,
    TrendRow,
    ablation_effects,
    accuracy_by_condition,
    accuracy_difference,
    compare,
    fisher_exact,
    mcnemar_exact,
    newcombe_interval,
    rate_table,
    run_outcomes,
    trend,
    wilson_interval,
)

__all__ = [
    "DEFAULT_DETECTORS",
    "SCORE_COLUMNS",
    "AblationRow",
    "Analysis",
    "BeliefTimeline",
    "CalibrationReport",
    "Claim",
    "ClaimExtractor",
    "ComparisonRow",
    "CorpusItem",
    "CorpusSource",
    "Detector",
    "Disagreement",
    "Evidence",
    "Exclusion",
    "Finding",
    "FindingType",
    "IntentCheck",
    "Interval",
    "Motive",
    "RateRow",
    "RunOutcome",
    "RunSummary",
    "Sweep",
    "TableRow",
    "TrendRow",
    "ablation_effects",
    "accuracy_by_condition",
    "accuracy_difference",
    "aggregate",
    "analyze_folder",
    "analyze_transcript",
    "attach_counterfactual",
    "attach_motives",
    "build_deception_graph",
    "calibrate",
    "caught_rate",
    "check_intent",
    "compare",
    "deception_degree",
    "deception_reciprocity",
    "deception_table",
    "detector_names",
    "disagreements",
    "exclusion_counts",
    "extractor_names",
    "fisher_exact",
    "get_detector",
    "get_extractor",
    "intended_claims",
    "interaction_counts",
    "is_deceptive",
    "labelled_items",
    "listeners_of",
    "load_calibrations",
    "load_corpus",
    "load_corpus_file",
    "load_sweep",
    "make_judge_extractor",
    "make_judge_motives",
    "mcnemar_exact",
    "most_deceived",
    "motive_subgraph",
    "newcombe_interval",
    "node_key",
    "published_table",
    "rate_table",
    "register_detector",
    "register_extractor",
    "render_exclusions",
    "run_outcomes",
    "save_ablation",
    "save_calibration",
    "screen_text",
    "screen_transcript",
    "second_hand_chains",
    "summarize_folder",
    "top_deceivers",
    "trend",
    "was_caught",
    "wilson_interval",
    "worlds_of",
    "write_graph_files",
]

"""Statistics over runs, the run being the unit: outcomes per run and key, rates with intervals,
comparisons between conditions, ablation effects, accuracy on capability tasks, overseers' accuracy
and confession rates (``oversight.py``).

``outcomes.py`` builds the tidy per-run table every other module reads; ``intervals.py`` holds the
intervals and exact tests; ``conditions.py`` names conditions and pairs runs across them; ``factors.py`` says what tells
conditions apart and what a comparison holds fixed; ``trends.py`` tests a rate's trend along ordered levels
(a capability ladder of base models); ``multiplicity.py`` adjusts p-values.
**A new statistic** is a module here reading :class:`RunOutcome` s (conventions: ``rates.py``'s
docstring), with a doctest example for each public function, exported here.
"""

from skins.analysis.stats.ablation import AblationRow, ablation_effects
from skins.analysis.stats.accuracy import AccuracyDifference, AccuracyRow, accuracy_by_condition, accuracy_difference
from skins.analysis.stats.comparisons import ComparisonRow, compare
from skins.analysis.stats.conditions import EDGE_FIELDS, condition_name
from skins.analysis.stats.factors import (
    CONDITION_FACTORS,
    COVARIATES,
    FACTORS,
    RUN_FACTORS,
    check_factor,
    comparison_fields,
    condition_of,
    factor_value,
    run_factors,
    split_pool,
    with_awareness,
)
from skins.analysis.stats.intervals import (
    Interval,
    bootstrap_diff_interval,
    bootstrap_mean_interval,
    cohens_h,
    contrast,
    fisher_exact,
    mcnemar_exact,
    newcombe_interval,
    newcombe_paired_interval,
    risk_ratio,
    wilson_interval,
)
from skins.analysis.stats.multiplicity import benjamini_hochberg, holm
from skins.analysis.stats.outcomes import (
    FindingKey,
    OutcomeCounter,
    RunOutcome,
    finding_key,
    record_subjects,
    run_outcomes,
)
from skins.analysis.stats.oversight import (
    LEVEL_COLUMNS,
    LevelRow,
    OverseerRow,
    OversightPairs,
    Rate,
    SuspectRow,
    by_level,
    overseer_rows,
    oversight_pairs,
    suspect_rows,
)
from skins.analysis.stats.planning import (
    SeedPlan,
    connor_sample_size,
    discordant_probabilities,
    fleiss_sample_size,
    plan_seeds,
    seeds_to_halve,
)
from skins.analysis.stats.power import fisher_power, mcnemar_power
from skins.analysis.stats.rates import RateRow, rate_table
from skins.analysis.stats.trends import TrendLevel, TrendRow, TrendTest, cochran_armitage, order_scores, trend

__all__ = [
    "CONDITION_FACTORS",
    "COVARIATES",
    "EDGE_FIELDS",
    "FACTORS",
    "LEVEL_COLUMNS",
    "RUN_FACTORS",
    "AblationRow",
    "AccuracyDifference",
    "AccuracyRow",
    "ComparisonRow",
    "FindingKey",
    "Interval",
    "LevelRow",
    "OutcomeCounter",
    "OverseerRow",
    "OversightPairs",
    "Rate",
    "RateRow",
    "RunOutcome",
    "SeedPlan",
    "SuspectRow",
    "TrendLevel",
    "TrendRow",
    "TrendTest",
    "ablation_effects",
    "accuracy_by_condition",
    "accuracy_difference",
    "benjamini_hochberg",
    "bootstrap_diff_interval",
    "bootstrap_mean_interval",
    "by_level",
    "check_factor",
    "cochran_armitage",
    "cohens_h",
    "compare",
    "comparison_fields",
    "condition_name",
    "condition_of",
    "connor_sample_size",
    "contrast",
    "discordant_probabilities",
    "factor_value",
    "finding_key",
    "fisher_exact",
    "fisher_power",
    "fleiss_sample_size",
    "holm",
    "mcnemar_exact",
    "mcnemar_power",
    "newcombe_interval",
    "newcombe_paired_interval",
    "order_scores",
    "overseer_rows",
    "oversight_pairs",
    "plan_seeds",
    "rate_table",
    "record_subjects",
    "risk_ratio",
    "run_factors",
    "run_outcomes",
    "seeds_to_halve",
    "split_pool",
    "suspect_rows",
    "trend",
    "wilson_interval",
    "with_awareness",
]

"""``skins export --format inspect``: a run folder as Inspect AI eval logs (``inspect view``, Inspect Scout).

Built only with inspect_ai's public API (``EvalLog``, ``EvalSample``, events, ``write_eval_log``), never by
writing the ``.eval`` zip by hand: the format is versioned but not frozen. Needs the ``inspect`` extra;
:mod:`skins.analysis.exports.writers` checks for it before importing this package. How a run maps to a log
is told in :mod:`.logs` (files, conditions), :mod:`.samples` (scores, metadata) and :mod:`.transcript`
(messages, events).
"""

from skins.analysis.exports.inspect_logs.logs import Condition, condition_of_run, task_name, write_inspect_logs
from skins.analysis.exports.inspect_logs.samples import DECEPTION_SCORE, build_sample, score_names
from skins.analysis.exports.inspect_logs.transcript import TranscriptParts, build_transcript

__all__ = [
    "DECEPTION_SCORE",
    "Condition",
    "TranscriptParts",
    "build_sample",
    "build_transcript",
    "condition_of_run",
    "score_names",
    "task_name",
    "write_inspect_logs",
]

"""Analysis of stored runs: claims → findings → motives → deception graph.

Pure functions over transcripts; no model is called, so a better detector can
be rerun over old runs for free.
"""

from __future__ import annotations

from analysis.analyze import Analysis, analyze_transcript
from analysis.beliefs import BeliefTimeline
from analysis.claims import (
    Claim,
    ClaimExtractor,
    extractor_names,
    get_extractor,
    listeners_of,
    register_extractor,
)
from analysis.detectors import (
    DEFAULT_DETECTORS,
    Detector,
    detector_names,
    get_detector,
    register_detector,
)
from analysis.findings import Evidence, Finding, FindingType, Motive, is_deceptive
from analysis.graph import (
    TableRow,
    build_deception_graph,
    deception_table,
    node_key,
    write_graph_files,
)
from analysis.motives import attach_motives

__all__ = [
    "DEFAULT_DETECTORS",
    "Analysis",
    "BeliefTimeline",
    "Claim",
    "ClaimExtractor",
    "Detector",
    "Evidence",
    "Finding",
    "FindingType",
    "Motive",
    "TableRow",
    "analyze_transcript",
    "attach_motives",
    "build_deception_graph",
    "deception_table",
    "detector_names",
    "extractor_names",
    "get_detector",
    "get_extractor",
    "is_deceptive",
    "listeners_of",
    "node_key",
    "register_detector",
    "register_extractor",
    "write_graph_files",
]

"""Detectors: registered factories of ``(transcript, world, claims, beliefs) -> list[Finding]``.

Importing this package registers the built-in detectors (``lie``, ``denial``): their
modules register themselves when imported below.
"""

from __future__ import annotations

from analysis.detectors.base import (
    DEFAULT_DETECTORS,
    Detector,
    detector_names,
    get_detector,
    register_detector,
)
from analysis.detectors.denial import detect_denials
from analysis.detectors.lie import detect_lies, label_fact_claim

__all__ = [
    "DEFAULT_DETECTORS",
    "Detector",
    "detect_denials",
    "detect_lies",
    "detector_names",
    "get_detector",
    "label_fact_claim",
    "register_detector",
]

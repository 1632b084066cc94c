"""Detectors: registered factories of ``(transcript, world, claims, beliefs) -> list[Finding]``.

**A detector is registered here**: a module with a factory decorated ``@register_detector("name")``
(``base.py`` has the interface and the helpers detectors share), imported below, and named in
``DEFAULT_DETECTORS`` if every analysis should run it. Importing this package registers the
built-in ones (``lie``, ``denial``, ``omission``, ``sandbagging``, ``covert_action``,
``thinking_contradiction``, ``inconsistency``).
"""

from skins.analysis.detectors.base import DEFAULT_DETECTORS, Detector, detector_names, get_detector, register_detector
from skins.analysis.detectors.contradiction import detect_thinking_contradictions
from skins.analysis.detectors.covert import admissions, detect_covert_actions
from skins.analysis.detectors.denial import detect_denials
from skins.analysis.detectors.inconsistency import detect_inconsistencies
from skins.analysis.detectors.lie import detect_lies, label_fact_claim
from skins.analysis.detectors.omission import detect_omissions
from skins.analysis.detectors.sandbagging import detect_sandbagging

__all__ = [
    "DEFAULT_DETECTORS",
    "Detector",
    "admissions",
    "detect_covert_actions",
    "detect_denials",
    "detect_inconsistencies",
    "detect_lies",
    "detect_omissions",
    "detect_sandbagging",
    "detect_thinking_contradictions",
    "detector_names",
    "get_detector",
    "label_fact_claim",
    "register_detector",
]

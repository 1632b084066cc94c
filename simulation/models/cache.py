"""Content-addressed cache of model calls (SQLite): a call answered once is never paid for again.

Only successful replies are stored. The key covers everything that determines
the reply: backend, model, endpoint, messages, generation settings, the output
schema and strategy, and the call's index within its run (so identical prompts
at temperature > 0 inside one run still get distinct samples). It is the SHA-256
of the canonical (sorted-key) JSON of those parts, built by :class:`CallKeys`.
"""

from __future__ import annotations

__all__ = ["CachedReply", "CallKeys", "ResponseCache", "default_cache_path"]

import hashlib
import json
import os
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage
from pydantic import BaseModel, ConfigDict

from skins.simulation.models.scope import per_sweep
from skins.simulation.models.spec import ModelSpec


class CachedReply(BaseModel):
    """What a call returned: the reply text (or tool arguments as JSON), the reasoning sent beside it, and its
    token usage. A leading ``<think>`` block stays in ``text``: it is split off as the reply is read."""

    model_config = ConfigDict(frozen=True)

    text: str
    reasoning: str = ""
    """The reasoning the endpoint returned beside the text (rows stored before it was kept load as "")."""
    input_tokens: int = 0
    output_tokens: int = 0


def default_cache_path() -> Path:
    """``$SKINS_CACHE_DIR`` or ``$XDG_CACHE_HOME/skins`` or ``~/.cache/skins``, plus ``responses.db``."""
    root = os.environ.get("SKINS_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "skins"
    return Path(root) / "responses.db"


class CallKeys:
    """The cache keys of one run's calls to one model with one strategy and output schema.

    A key is the SHA-256 of ``json.dumps(parts, sort_keys=True, default=str)`` where ``parts`` is
    ``{"backend", "model", "base_url", "settings": {"temperature", "max_tokens", "seed"},
    "strategy", "schema", "messages": [(type, content), ...], "call_index"}``. Only the index and
    the messages change from call to call, and the two sort next to each other, so the JSON around
    them is encoded once (once per sweep: a schema can be large) and each key encodes only its own
    parts. The seed is the model's own, else the run's. ``reasoning_effort`` and ``reasoning_summary``
    join the settings only when set, so the keys of calls without them stay what they were.
    """

    def __init__(self, spec: ModelSpec, strategy: str, schema: dict[str, Any], seed: int) -> None:
        head, before_seed, after_seed = per_sweep(
            ("cache-key-frame", id(spec), strategy, id(schema)),
            lambda: _frame(spec, strategy, schema),
            keep=(spec, schema),
        )
        self.schema = schema
        """The schema these keys are for (kept, so that its id is not reused while they are)."""
        self._head = head
        self._tail = before_seed + json.dumps(spec.seed or seed).encode() + after_seed

    def key(self, index: int, messages: Sequence[BaseMessage]) -> str:
        """The key of the run's ``index``-th call, sending ``messages``."""
        body = json.dumps([(m.type, m.content) for m in messages], sort_keys=True, default=str)
        own = f"{index}, {json.dumps('messages')}: {body}".encode()
        return hashlib.sha256(self._head + own + self._tail).hexdigest()


_SEED = "\x00seed\x00"
"""Stands in for the seed while the parts of a key shared by every run are encoded."""


def _frame(spec: ModelSpec, strategy: str, schema: dict[str, Any]) -> tuple[bytes, bytes, bytes]:
    """The canonical JSON of a key's fixed parts, cut where the call's own parts and the seed go:
    ``{..., "call_index": `` | index, "messages": messages | ``, ..."seed": `` | seed | ``...}``."""
    fixed = {
        "backend": spec.backend,
        "model": spec.model,
        "base_url": spec.base_url,
        "settings": {"temperature": spec.temperature, "max_tokens": spec.max_tokens, "seed": _SEED, **_reasoning(spec)},
        "strategy": strategy,
        "schema": schema,
    }
    before = {k: v for k, v in fixed.items() if k < "call_index"}
    after = {k: v for k, v in fixed.items() if k > "messages"}
    assert len(before) + len(after) == len(fixed)  # nothing sorts between "call_index" and "messages"
    head = json.dumps(before, sort_keys=True, default=str)[:-1] + ', "call_index": '
    tail = (", " + json.dumps(after, sort_keys=True, default=str)[1:]).encode()
    before_seed, seed, after_seed = tail.partition(json.dumps(_SEED).encode())
    assert seed and json.dumps(_SEED).encode() not in after_seed  # the stand-in occurs once
    return head.encode(), before_seed, after_seed


def _reasoning(spec: ModelSpec) -> dict[str, str]:
    """The reasoning settings of a spec that sets any (none: the keys of calls made before they existed)."""
    settings = {"reasoning_effort": spec.reasoning_effort, "reasoning_summary": spec.reasoning_summary}
    return {k: v for k, v in settings.items() if v is not None}


class ResponseCache:
    """Thread-safe SQLite cache; one file can serve many output folders."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=120)  # shared by worker processes
        with self._lock, self._db:
            self._db.execute("PRAGMA journal_mode=WAL")
            # Commits survive a killed process (the WAL is in the OS page cache) without an fsync each;
            # only a power loss could drop the last replies, which are then simply paid again.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, backend TEXT NOT NULL, "
                "reply TEXT NOT NULL, created REAL NOT NULL)"
            )

    def get(self, key: str) -> CachedReply | None:
        with self._lock:
            row = self._db.execute("SELECT reply FROM replies WHERE key=?", (key,)).fetchone()
        return None if row is None else CachedReply.model_validate_json(row[0])

    def put(self, key: str, backend: str, reply: CachedReply, commit: bool = True) -> None:
        """Store a reply; ``commit=False`` leaves it in the open transaction for :meth:`commit`
        (a run commits its replies with its turn)."""
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO replies VALUES (?,?,?,?)", (key, backend, reply.model_dump_json(), time.time())
            )
            if commit:
                self._db.commit()

    def commit(self) -> None:
        """Commit replies stored with ``commit=False`` (a no-op when there are none)."""
        with self._lock:
            if self._db.in_transaction:
                self._db.commit()

    def stats(self) -> dict[str, tuple[int, int]]:
        """Backend -> (entries, bytes of stored replies)."""
        with self._lock:
            rows = self._db.execute("SELECT backend, COUNT(*), SUM(LENGTH(reply)) FROM replies GROUP BY backend")
            return {b: (n, int(size or 0)) for b, n, size in rows}

    def clear(self) -> int:
        with self._lock, self._db:
            return self._db.execute("DELETE FROM replies").rowcount

    def close(self) -> None:
        with self._lock:
            if self._db.in_transaction:
                self._db.commit()
            self._db.close()

"""Content-addressed cache of model calls (SQLite): a call answered once is never paid for again.

Only successful replies are stored. The key covers everything that determines
the reply: backend, model, endpoint, messages, generation settings, the output
schema and strategy, and the call's index within its run (so identical prompts
at temperature > 0 inside one run still get distinct samples).
"""

from __future__ import annotations

__all__ = ["CachedReply", "ResponseCache", "cache_key", "default_cache_path"]

import hashlib
import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict


class CachedReply(BaseModel):
    """What a call returned: the reply text (or tool arguments as JSON) and its token usage."""

    model_config = ConfigDict(frozen=True)

    text: str
    input_tokens: int = 0
    output_tokens: int = 0


def default_cache_path() -> Path:
    """``$SKINS_CACHE_DIR`` or ``$XDG_CACHE_HOME/skins`` or ``~/.cache/skins``, plus ``responses.db``."""
    root = os.environ.get("SKINS_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "skins"
    return Path(root) / "responses.db"


def cache_key(parts: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of everything that determines a reply."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


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

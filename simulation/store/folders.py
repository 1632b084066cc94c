"""What skins recognises as its own, so it never writes over anything else: a run store (an SQLite file
with skins' schema marker) and an output folder (one skins made, or one holding a run store).

A folder skins creates or first writes into gets a :data:`MARKER` file. A folder counts as made by
skins when it has that marker or a run store (so folders from before the marker are recognised);
output goes only into a new or empty folder or one made by skins, or anywhere with ``force``. A named
output file may be new anywhere; an existing one is replaced only in a folder made by skins (or with
``force``). A database without skins' schema marker is never written to, ``force`` or not.
"""

from __future__ import annotations

__all__ = [
    "MARKER",
    "check_output_dir",
    "check_output_file",
    "check_store_schema",
    "is_skins_folder",
    "is_store_file",
    "output_error",
    "prepare_output_dir",
    "prepare_output_file",
]

import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from skins.core import ConfigError, StoreError
from skins.simulation.store import schema as sql

MARKER = ".skins"
"""The file that marks a folder as made by skins (its text says so to a person who finds it)."""
_SQLITE_HEADER = b"SQLite format 3\x00"
_MARKER_TEXT = "This folder was made by skins: skins commands may replace the files they wrote here.\n"


def check_store_schema(db: sqlite3.Connection, path: Path) -> None:
    """Raise a StoreError unless ``db`` is empty or carries skins' schema marker (the ``meta`` table's
    ``schema_version``); call it before anything is written, so another database is never touched."""
    if _schema_state(db, path) == "foreign":
        raise StoreError(
            f"{path} is an SQLite database without skins' tables, and skins never writes into another database; "
            "move it away or choose another folder"
        )


def _schema_state(db: sqlite3.Connection, path: Path) -> str:
    """``empty`` (no tables yet), ``skins`` (the schema marker is there) or ``foreign``; a StoreError
    when the file is not a database at all."""
    try:
        tables = {name for (name,) in db.execute(sql.SELECT_TABLES)}
        marked = "meta" in tables and db.execute(sql.SELECT_VERSION).fetchone() is not None
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a skins run store: {exc}; move it away or choose another folder") from None
    return "skins" if marked else "foreign" if tables else "empty"


def is_store_file(path: Path) -> bool:
    """True when ``path`` is a skins run store (its schema marker read without writing to it)."""
    return _store_state(path) == "skins"


def _store_state(path: Path) -> str:
    """``missing``, ``empty`` (a new database), ``skins``, ``foreign`` (another database) or ``invalid``."""
    if not path.exists():
        return "missing"
    try:
        with path.open("rb") as fh:
            head = fh.read(len(_SQLITE_HEADER))
        if not head:
            return "empty"
        if head != _SQLITE_HEADER:
            return "invalid"
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except (OSError, sqlite3.Error):
        return "invalid"
    try:
        return _schema_state(db, path)
    except StoreError:
        return "invalid"
    finally:
        db.close()


def is_skins_folder(folder: Path) -> bool:
    """True when ``folder`` was made by skins: it has the :data:`MARKER` file or a run store."""
    return (folder / MARKER).is_file() or is_store_file(folder / sql.DB_NAME)


def check_output_dir(folder: Path, force: bool = False, option: str = "--out") -> None:
    """Raise a ConfigError unless skins may write into ``folder``: new, empty or made by skins (anything
    with ``force``), with a writable place to create it; a foreign ``skins.db`` is refused even then."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{option} {folder}: this is a file, not a folder; give a folder (created if missing)")
    if not folder.exists():
        _check_creatable(folder, option)
        return
    store = folder / sql.DB_NAME
    if _store_state(store) in ("foreign", "invalid"):
        raise StoreError(
            f"{option} {folder}: {store} is not a skins run store, and skins never writes into it; "
            "move it away or choose another folder"
        )
    others = sorted(p.name for p in folder.iterdir())
    if others and not force and not is_skins_folder(folder):
        raise ConfigError(
            f"{option} {folder}: the folder holds files skins did not make ({_names(others)}); choose a new or "
            "empty folder, or add --force to write into it (files of the names skins writes are replaced)"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ConfigError(f"{option} {folder}: the folder is not writable; choose another folder")


def check_output_file(
    path: Path, force: bool = False, option: str = "-o", beside: Iterable[Path] = (), example: str = "out"
) -> None:
    """Raise a ConfigError unless skins may write the file ``path`` (and the files ``beside`` it): not
    a folder, creatable, and not an existing file outside a folder made by skins unless ``force``.
    ``example``: a file name to suggest when ``path`` is a folder."""
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"{option} {path}: this is a folder; give a file name, e.g. {path / example}")
    if not path.parent.exists():
        _check_creatable(path.parent, option)
        return
    if not path.parent.is_dir():
        raise ConfigError(f"{option} {path}: {path.parent} is a file, not a folder")
    ours = None
    for target in (path, *beside):
        if not target.exists() and not target.is_symlink():
            continue
        if target.is_dir():
            raise ConfigError(f"{option} {path}: {target} would be written and is a folder; choose another name")
        ours = is_skins_folder(path.parent) if ours is None else ours
        if not force and not ours:
            raise ConfigError(
                f"{option} {path}: {target} exists in a folder skins did not make; choose another name, "
                "or add --force to overwrite it"
            )
        if not os.access(target, os.W_OK):
            raise ConfigError(f"{option} {path}: {target} exists and is not writable")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise ConfigError(f"{option} {path}: the folder {path.parent} is not writable; choose another place")


def prepare_output_dir(folder: Path, option: str = "--out") -> Path:
    """Create ``folder`` (with its parents) if needed and mark it as made by skins; the folder."""
    folder = Path(folder)
    try:
        _make_marked(folder)
    except OSError as exc:
        raise output_error(option, folder, exc) from None
    return folder


def prepare_output_file(path: Path, option: str = "-o") -> Path:
    """Create the folder of the file ``path`` (marked as made by skins) when it does not exist; ``path``."""
    path = Path(path)
    if not path.parent.exists():
        try:
            _make_marked(path.parent)
        except OSError as exc:
            raise output_error(option, path, exc) from None
    return path


def _make_marked(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / MARKER
    if not marker.exists():
        marker.write_text(_MARKER_TEXT, encoding="utf-8")


def output_error(option: str, path: Path, exc: OSError) -> ConfigError:
    """The error for an output that could not be written: the option, the path and the system's reason."""
    return ConfigError(f"{option} {path}: cannot write {exc.filename or path}: {exc.strerror or exc}")


def _check_creatable(folder: Path, option: str) -> None:
    """The nearest existing ancestor of ``folder`` must be a writable folder."""
    ancestor = folder.absolute().parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise ConfigError(f"{option} {folder}: {ancestor} is a file, so the folder cannot be created there")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise ConfigError(f"{option} {folder}: cannot create it, {ancestor} is not writable")


def _names(names: list[str]) -> str:
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")

"""skins writes only into its own folders and its own database (issue 15, items 6 and 7): a folder is
skins' when it has the marker or a run store; an SQLite file without the schema marker is never written."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from skins.core import ConfigError, StoreError
from skins.simulation.store import (
    DB_NAME,
    MARKER,
    Store,
    check_output_dir,
    check_output_file,
    is_skins_folder,
    is_store_file,
    prepare_output_dir,
)


def _foreign_db(path: Path) -> str:
    """An unrelated SQLite database at ``path``; returns its digest."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        db.execute("INSERT INTO invoices VALUES (1, 9.5)")
    db.close()
    return _digest(path)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tables(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    db.close()
    return names


def test_a_database_without_the_schema_marker_is_never_written(tmp_path: Path) -> None:
    before = _foreign_db(tmp_path / DB_NAME)
    for create, readonly in ((True, False), (False, False), (False, True)):
        with pytest.raises(StoreError, match=r"without skins' tables|is not a skins run store"):
            Store(tmp_path, create=create, readonly=readonly)
    assert _tables(tmp_path / DB_NAME) == ["invoices"] and _digest(tmp_path / DB_NAME) == before


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    (tmp_path / DB_NAME).write_text("not a database, just notes\n" * 100)
    for create, readonly in ((True, False), (False, False), (False, True)):
        with pytest.raises(StoreError, match=f"{tmp_path / DB_NAME} is not a skins run store: file is not a database"):
            Store(tmp_path, create=create, readonly=readonly)
    assert (tmp_path / DB_NAME).read_text().startswith("not a database")


def test_an_empty_file_becomes_a_store(tmp_path: Path) -> None:
    (tmp_path / DB_NAME).touch()
    with Store(tmp_path) as store:
        assert store.runs() == []
    assert is_store_file(tmp_path / DB_NAME)


def test_a_folder_with_a_store_from_before_the_marker_is_skins(tmp_path: Path) -> None:
    with Store(tmp_path / "old"):
        pass
    (tmp_path / "old" / "graph.json").write_text("{}")
    assert not (tmp_path / "old" / MARKER).exists() and is_skins_folder(tmp_path / "old")
    check_output_dir(tmp_path / "old")
    _foreign_db(tmp_path / "other" / DB_NAME)
    assert not is_store_file(tmp_path / "other" / DB_NAME) and not is_skins_folder(tmp_path / "other")


def test_output_goes_into_a_new_empty_or_marked_folder_only(tmp_path: Path) -> None:
    check_output_dir(tmp_path / "new" / "deeper")
    (tmp_path / "empty").mkdir()
    check_output_dir(tmp_path / "empty")
    mine = tmp_path / "mine"
    (mine / "notes.txt").parent.mkdir()
    (mine / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match=r"--out .*mine: the folder holds files skins did not make \(notes.txt\)"):
        check_output_dir(mine)
    check_output_dir(mine, force=True)
    assert prepare_output_dir(mine) == mine and (mine / MARKER).is_file()
    check_output_dir(mine)  # marked now: skins' own from here on
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="this is a file, not a folder"):
        check_output_dir(tmp_path / "file", force=True)
    with pytest.raises(ConfigError, match="is a file, so the folder cannot be created there"):
        check_output_dir(tmp_path / "file" / "sub")


def test_a_foreign_store_is_refused_even_with_force(tmp_path: Path) -> None:
    _foreign_db(tmp_path / DB_NAME)
    with pytest.raises(StoreError, match="is not a skins run store, and skins never writes into it"):
        check_output_dir(tmp_path, force=True)


def test_an_output_file_replaces_only_files_in_a_skins_folder(tmp_path: Path) -> None:
    check_output_file(tmp_path / "report.html")  # new: fine anywhere
    check_output_file(tmp_path / "new" / "report.html")
    (tmp_path / "report-rates.png").write_bytes(b"mine")
    beside = [tmp_path / "report-rates.png"]
    with pytest.raises(ConfigError, match=r"report-rates.png exists in a folder skins did not make; .* --force"):
        check_output_file(tmp_path / "report.html", beside=beside)
    check_output_file(tmp_path / "report.html", force=True, beside=beside)
    with pytest.raises(ConfigError, match=r"-o .*: this is a folder; give a file name, e.g. .*report.html"):
        check_output_file(tmp_path, force=True, example="report.html")
    prepare_output_dir(tmp_path)
    check_output_file(tmp_path / "report.html", beside=beside)

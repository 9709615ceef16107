"""The connection every part of storage shares: opening (WAL, foreign keys, migrations),
transactions, and the one place where SQLite's errors become the bot's `StorageError`,
so a locked database or a full disk is one clear line that names the database."""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database
from sqlite_utils.db import Table

from bot.errors import NoDatabase, StorageError
from bot.models import Story
from bot.store.records import from_iso
from bot.store.schema import migrations

F = TypeVar("F", bound=Callable[..., Any])


def explain(path: str, exc: sqlite3.Error) -> StorageError:
    """SQLite's error as one line a user can act on."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        text = "locked by another process for too long (is a second bot writing to it?)"
    elif "disk is full" in text or "full" in text:
        text = "the disk (or the database's size limit) is full: free some space"
    elif "readonly" in text or "read-only" in text:
        text = "not writable by this user"
    return StorageError(f"database {path}: {text}")


def private(path: Path) -> None:
    """Make the database's folder (when it is created here) and its files readable by this
    user only: they hold every story, and the feeds' URLs with whatever keys they carry.
    SQLite gives the -wal and -shm files the database file's mode."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):  # another process may create it first
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if file.exists() and file.stat().st_mode & 0o077 and file.stat().st_uid == os.getuid():
            file.chmod(0o600)


def mapped(method: F) -> F:
    """Wrap a storage method so that SQLite's errors leave it as StorageError."""

    @functools.wraps(method)
    def wrapper(self: StoreBase, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise explain(self.path, exc) from None

    return wrapper  # type: ignore[return-value]


class StoreBase:
    """Owns the connection. One instance per process; calls are short and synchronous."""

    def __init__(self, path: str | Path, timeout: float = 30.0, readonly: bool = False) -> None:
        self.path = str(path)
        if readonly:
            self._open_readonly(timeout)
            return
        try:
            if self.path != ":memory:":
                private(Path(self.path))
            conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self.db = Database(conn)
            if self.path != ":memory:":
                self.db.enable_wal()
                # WAL with NORMAL sync stays consistent on a crash; only a power cut can
                # lose the last transactions, and every commit skips an fsync.
                self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            migrations.apply(self.db)
        except sqlite3.Error as exc:
            raise explain(self.path, exc) from None
        except OSError as exc:
            raise StorageError(f"database {self.path}: {exc.strerror or exc}") from None

    def _open_readonly(self, timeout: float) -> None:
        """Open an existing database for reading only (the web page, the read-only commands):
        nothing is created or migrated, and no statement can write. The connection may be
        closed from another thread than the one that reads through it."""
        if not Path(self.path).is_file():
            raise NoDatabase(f"no database at {self.path}: `followup-bot poll` or `run` creates it")
        uri = f"{Path(self.path).absolute().as_uri()}?mode=ro"
        try:
            conn = sqlite3.connect(
                uri, timeout=timeout, uri=True, isolation_level=None, check_same_thread=False
            )
            self.db = Database(conn)
            self.db.execute("PRAGMA query_only = ON")
            pending = migrations.pending(self.db)
        except sqlite3.Error as exc:
            raise explain(self.path, exc) from None
        if pending:
            self.db.close()
            raise StorageError(
                f"database {self.path} was written by an older followup-bot:"
                " `followup-bot poll` (or `run`) brings it up to date"
            )

    def close(self) -> None:
        self.db.close()

    def table(self, name: str) -> Table:
        return self.db.table(name)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all."""
        try:
            with self.db.atomic():
                yield
        except sqlite3.Error as exc:
            raise explain(self.path, exc) from None

    def _insert(self, table: str, values: dict[str, Any]) -> int:
        """A plain INSERT returning the new rowid (sqlite-utils' insert inspects the table
        schema on every call, which a poll of thousands of entries cannot afford)."""
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        cursor = self.db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(values.values()))
        return int(cursor.lastrowid or 0)


def story_from_row(row: dict[str, Any]) -> Story:
    """A stories row (as sqlite-utils' query gives it) as a Story."""
    return Story(
        id=row["id"],
        title=row["title"],
        url=row["url"],
        summary=row["summary"],
        outlet=row["outlet"],
        published=from_iso(row["published"]),
        canonical_url=row["canonical_url"],
        language=row["language"],
        kind=row["kind"],
        content=row["content"],
        digest=row["digest"] or "",
        image=row.get("image") or "",
        document=row.get("document") or "",
    )

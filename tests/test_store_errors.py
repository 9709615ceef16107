"""Every public method of the store maps SQLite's errors to StorageError, one line naming the
database: tried on each, with the database locked by another process."""

from __future__ import annotations

import inspect
import sqlite3
import typing
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.errors import DevelopmentNotFound, StorageError
from bot.judge.dedup import Known
from bot.judge.placement import Placement, Queue
from bot.models import Entry, FeedCache, Verdict
from bot.store import Near, Store
from tests.support.builders import NOW

ENTRY = Entry("f", "g", "https://x.example/1", "T", "S", "", NOW, True)
SAMPLES: dict[Any, Any] = {
    int: 1,
    float: 1.0,
    str: "x",
    bool: True,
    datetime: NOW,
    timedelta: timedelta(hours=1),
    Entry: ENTRY,
    Verdict: Verdict(True, 1.0),
    FeedCache: FeedCache(None, None),
    Near: Near(NOW, NOW - timedelta(days=1), NOW),
    Known: None,
    Queue: Queue(timeline=True),
    Placement: Placement(None, False, "new development", Queue(timeline=True)),
}
NOT_QUERIES = {"close", "table", "transaction"}  # the connection itself, not a query
PUBLIC = sorted(
    name
    for name in dir(Store)
    if not name.startswith("_") and callable(getattr(Store, name)) and name not in NOT_QUERIES
)


def sample(annotation: Any) -> Any:
    """A value of the annotated type, enough to reach the database."""
    origin = typing.get_origin(annotation)
    if origin in (list, tuple) or str(origin) in (
        "<class 'collections.abc.Iterable'>",
        "<class 'collections.abc.Sequence'>",
    ):
        return [sample(typing.get_args(annotation)[0])]
    if origin in (typing.Union, type(int | None)):
        return sample(next(a for a in typing.get_args(annotation) if a is not type(None)))
    assert annotation in SAMPLES, f"no sample for {annotation}: add one"
    return SAMPLES[annotation]


def arguments(method: Callable[..., Any]) -> list[Any]:
    hints = typing.get_type_hints(method)
    parameters = list(inspect.signature(method).parameters.values())[1:]
    return [sample(hints[p.name]) for p in parameters if p.default is inspect.Parameter.empty]


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> typing.Iterator[Store]:
    """A store whose database another process holds locked for writing (and, in this
    rollback-journal mode, for reading too), with a short busy timeout."""
    path = tmp_path_factory.mktemp("locked") / "bot.db"
    Store(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode = DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    store = Store.__new__(Store)
    store.path = str(path)
    from sqlite_utils import Database

    store.db = Database(sqlite3.connect(path, timeout=0.01, isolation_level=None))
    yield store
    store.close()
    holder.execute("ROLLBACK")
    holder.close()


@pytest.mark.parametrize("name", PUBLIC)
def test_a_locked_database_is_a_storage_error_from_every_method(locked: Store, name: str) -> None:
    method = getattr(locked, name)
    with pytest.raises(StorageError, match=r"database .*bot\.db: locked by another process"):
        method(*arguments(getattr(Store, name)))


def test_a_missing_development_is_said_so(tmp_path: Path) -> None:
    store = Store(tmp_path / "bot.db")
    with pytest.raises(DevelopmentNotFound, match="there is no development 42"):
        store.development(42)
    assert store.development_view(42, 10) is None
    store.close()

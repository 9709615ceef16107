"""Commands that only read never create or migrate a database: without one they say so in
one line and exit 2; a database of an older version asks for one `poll`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from bot.store.schema import migrations
from tests.support.cli import environment

READ_ONLY = (
    ["status"],
    ["status", "--json"],
    ["stories"],
    ["feeds"],
    ["health"],
    ["explain", "--entry", "1"],
)


def followup(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it in `folder`: the default feeds.yaml and state/bot.db."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=folder,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("args", [*READ_ONLY, ["serve", "--listen", "127.0.0.1:0"]], ids=" ".join)
def test_without_a_database_a_reading_command_says_so_and_creates_nothing(
    tmp_path: Path, args: list[str]
) -> None:
    result = followup(tmp_path, *args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        "followup-bot: no database at state/bot.db: `followup-bot poll` or `run` creates it"
    )
    assert list(tmp_path.iterdir()) == []  # no state/, no database


def test_a_database_of_an_older_version_is_read_by_no_reading_command(tmp_path: Path) -> None:
    (tmp_path / "state").mkdir()
    old = sqlite_utils.Database(tmp_path / "state" / "bot.db")
    migrations.ensure_migrations_table(old)
    old.table("_sqlite_migrations").insert(
        {"migration_set": migrations.name, "name": "m001_initial", "applied_at": "x"}
    )
    old.close()
    before = (tmp_path / "state" / "bot.db").read_bytes()
    for args in READ_ONLY:
        result = followup(tmp_path, *args)
        assert result.returncode == 1 and "was written by an older followup-bot" in result.stderr, args
        assert "Traceback" not in result.stderr
    assert (tmp_path / "state" / "bot.db").read_bytes() == before  # not migrated

"""What people see of a feed never carries the keys its URL holds, and the database and its
locks are this user's alone: readable by no one else, never written through a link."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from bot.errors import BotError
from bot.intake.feedhealth import warning_text
from bot.intake.urls import scrub, shown
from bot.locks import FileLock
from bot.store import Store
from tests.support.cli import command, environment, serving
from tests.support.feeds import rss, write_config
from tests.support.feedserver import FeedServer, Route
from tests.test_e2e import assert_clean, cli
from tests.test_web import get

SECRET = "s3cr3t-api-key"


def test_a_url_is_shown_as_scheme_host_and_path_only() -> None:
    assert shown(f"https://user:{SECRET}@feeds.example:8443/news/rss?api_key={SECRET}#x") == (
        "https://feeds.example:8443/news/rss"
    )
    assert shown("http://[::1]:99999/x") == "(an unreadable URL)"
    text = f"HTTP 404 at http://feeds.example/rss?key={SECRET}; then 'https://x.example/?t={SECRET}'"
    assert scrub(text) == "HTTP 404 at http://feeds.example/rss then 'https://x.example/'"
    assert SECRET not in warning_text("f", 3, f"fetch failed: http://x.example/?k={SECRET}")


def test_a_moved_feed_with_a_key_in_its_url_shows_nowhere_with_the_key(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    feed_server.routes["/old.xml"] = Route(
        b"", status=301, headers={"Location": feed_server.url(f"/new.xml?api_key={SECRET}")}
    )
    feed_server.routes["/new.xml"] = Route(rss([]))
    write_config(tmp_path / "feeds.yaml", {"f": feed_server.url(f"/old.xml?api_key={SECRET}")})
    polled = cli(tmp_path, "-v", "poll")
    assert_clean(polled)
    shown_to_people = [
        polled.stderr,
        cli(tmp_path, "status", "--json").stdout,
        cli(tmp_path, "status").stdout,
        cli(tmp_path, "feeds").stdout,
    ]
    assert "moved to" in shown_to_people[3] and "/new.xml" in shown_to_people[3]
    with serving(tmp_path) as base:
        shown_to_people.append(get(base + "feeds")[2])
    for text in shown_to_people:
        assert SECRET not in text


def test_the_database_and_its_folder_are_readable_by_this_user_only(tmp_path: Path) -> None:
    before = os.umask(0o022)  # the usual umask, which made them 0755 and 0644
    try:
        store = Store(tmp_path / "state" / "bot.db")
    finally:
        os.umask(before)
    store.ensure_feed("f", "https://x.example/feed")
    try:
        assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700
        for name in ("bot.db", "bot.db-wal", "bot.db-shm"):
            assert stat.S_IMODE((tmp_path / "state" / name).stat().st_mode) == 0o600, name
    finally:
        store.close()


def test_an_existing_database_open_to_others_is_closed_to_them(tmp_path: Path) -> None:
    Store(tmp_path / "bot.db").close()
    (tmp_path / "bot.db").chmod(0o644)
    Store(tmp_path / "bot.db").close()
    assert stat.S_IMODE((tmp_path / "bot.db").stat().st_mode) == 0o600


def test_a_lock_file_is_never_written_through_a_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    (tmp_path / "bot.db.service.lock").symlink_to(victim)
    with pytest.raises(BotError, match="is a symbolic link"):
        FileLock(str(tmp_path / "bot.db.service.lock")).acquire()
    assert victim.read_text(encoding="utf-8") == "keep me"
    os.mkfifo(tmp_path / "bot.db.delivery.lock")
    with pytest.raises(BotError, match="not a regular file"):
        FileLock(str(tmp_path / "bot.db.delivery.lock")).acquire()


def test_a_lock_file_is_private_and_the_service_refuses_a_link_in_one_line(tmp_path: Path) -> None:
    lock = FileLock(str(tmp_path / "bot.db.service.lock"))
    assert lock.acquire()
    lock.release()
    assert stat.S_IMODE((tmp_path / "bot.db.service.lock").stat().st_mode) == 0o600
    (tmp_path / "bot.db.service.lock").unlink()
    (tmp_path / "bot.db.service.lock").symlink_to(tmp_path / "elsewhere")
    write_config(tmp_path / "feeds.yaml", {"f": "http://127.0.0.1:9/f.xml"})
    result = subprocess.run(
        command(tmp_path, "run"), env=environment(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "is a symbolic link: remove it" in result.stderr and not (tmp_path / "elsewhere").exists()

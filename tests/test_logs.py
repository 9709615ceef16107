"""logs: secrets never reach a log line or an error, in either format."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot import logs
from bot.logs import REDACTED, Redact
from tests.support.cli import command, environment
from tests.support.fake_discord import WEBHOOK_TOKEN, WEBHOOK_URL, Failure, FakeDiscord
from tests.support.feeds import rss, write_config
from tests.support.feedserver import FeedServer, Route


def test_redaction_covers_messages_arguments_and_tracebacks() -> None:
    secret = "sk-abcdef123456"
    record = logging.LogRecord("t", logging.ERROR, __file__, 1, "token %s in %s", (secret, "url"), None)
    try:
        raise RuntimeError(f"failed with {secret}")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    Redact([secret]).filter(record)
    assert record.getMessage() == f"token {REDACTED} in url"
    assert secret not in (record.exc_text or "") and REDACTED in (record.exc_text or "")


@pytest.mark.parametrize("fmt", ["human", "json"])
def test_no_secret_in_any_log_line(tmp_path: Path, feed_server: FeedServer, fmt: str) -> None:
    feed_server.routes["/f.xml"] = Route(rss([]))
    write_config(tmp_path / "feeds.yaml", {"f": feed_server.url("/f.xml")})
    with FakeDiscord() as api:
        api.fail_next(Failure(404, code=10015))
        env = environment(webhook_url=WEBHOOK_URL, api_base=api.api_base) | {
            "EXAMPLE_API_KEY": "key-0123456789"
        }
        result = subprocess.run(
            command(tmp_path, "-v", "--log-format", fmt, "poll"),
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.stderr
    status = [
        subprocess.run(
            command(tmp_path, "status", *flag), env=env, capture_output=True, text=True, timeout=60
        )
        for flag in ((), ("--json",))
    ]
    for secret in (WEBHOOK_TOKEN, WEBHOOK_URL, "key-0123456789"):
        assert secret not in result.stderr and secret not in result.stdout
        assert all(secret not in s.stdout + s.stderr for s in status)
    if fmt == "json":
        for line in result.stderr.splitlines():
            entry = json.loads(line)
            assert {"time", "level", "logger", "message"} <= set(entry)


def test_log_lines_name_the_command_as_this_user_reaches_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After `make run` the shell finds no `followup-bot`: the service's advice must work."""
    script = tmp_path / ".venv" / "bin" / "followup-bot"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(script), "run"])
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert logs.command() == ".venv/bin/followup-bot"
    monkeypatch.setattr(shutil, "which", lambda name: str(script))
    assert logs.command() == "followup-bot"
    monkeypatch.setattr(sys, "argv", [str(tmp_path / "bot" / "__main__.py"), "run"])
    monkeypatch.setattr(sys, "executable", str(tmp_path / ".venv" / "bin" / "python"))
    assert logs.command() == ".venv/bin/python -m bot"

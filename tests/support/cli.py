"""Running the real CLI in a subprocess, with a clean environment."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.support.fake_discord import CHANNEL_ID


def command(tmp: Path, *args: str, config: str = "feeds.yaml") -> list[str]:
    """`python -m bot` with the test's config and database under `tmp`."""
    return [sys.executable, "-m", "bot", "--config", str(tmp / config), "--db", str(tmp / "bot.db"), *args]


def environment(**discord: str) -> dict[str, str]:
    """This process's environment without any DISCORD_* variable, plus `discord`'s."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCORD_")}
    return env | {f"DISCORD_{k.upper()}": v for k, v in discord.items()}


def bot_env(api_base: str) -> dict[str, str]:
    """Bot mode against the fake Discord at `api_base` (REST only: one-shot commands)."""
    return environment(token="bot-token", channel_id=CHANNEL_ID, api_base=api_base)


def bot_poll(tmp: Path, api_base: str) -> subprocess.CompletedProcess[str]:
    """`followup-bot poll` in bot mode against the fake Discord at `api_base`."""
    return subprocess.run(
        command(tmp, "poll"), env=bot_env(api_base), capture_output=True, text=True, timeout=120
    )


def status(tmp: Path, **discord: str) -> dict[str, Any]:
    """`followup-bot status --json` for the test's database."""
    result = subprocess.run(
        command(tmp, "status", "--json"),
        capture_output=True,
        text=True,
        timeout=120,
        env=environment(**discord),
    )
    return dict(json.loads(result.stdout))


@contextmanager
def serving(tmp: Path) -> Iterator[str]:
    """`followup-bot serve` on any free loopback port over the test's database; its URL."""
    proc = subprocess.Popen(
        command(tmp, "serve", "--listen", "127.0.0.1:0"),
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        end, line = time.monotonic() + 60, ""
        while not line.startswith("http://") and time.monotonic() < end and proc.poll() is None:
            if sel.select(timeout=max(0.0, end - time.monotonic())):
                line = proc.stdout.readline()
        sel.close()
        assert line.startswith("http://127.0.0.1:"), "serve printed no address"
        yield line.strip()
    finally:
        proc.terminate()
        proc.communicate(timeout=30)

"""Logging: one line per event, human or JSON, with every secret redacted.

Secrets (the bot token, the webhook URL and its token, the LLM key) are read from the
environment once and replaced by `[redacted]` in every record, whatever logged it.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

from bot.config import load_env_secrets
from bot.text import printable

REDACTED = "[redacted]"
NOISY = ("httpx", "httpcore", "discord", "apscheduler", "asyncio")
EXTRACTORS = ("trafilatura", "htmldate", "courlan", "justext")  # log every unparsable page as an error


class Redact(logging.Filter):
    """Replace each secret by [redacted] in the formatted message and the exception text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        # Longest first, so a URL is redacted whole before the token inside it.
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        # Feed text and server answers reach log lines: nothing in them may drive the terminal.
        record.msg = printable(self.scrub(record.getMessage()))
        record.args = ()
        if self.secrets and record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def setup(level: int, fmt: str = "human", environ: Mapping[str, str] | None = None) -> None:
    """Configure the root logger on stderr; safe to call again (tests, reloads)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter() if fmt == "json" else logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    )
    handler.addFilter(Redact(load_env_secrets(os.environ if environ is None else environ)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in NOISY:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
    for name in EXTRACTORS:
        logging.getLogger(name).setLevel(level if level == logging.DEBUG else logging.CRITICAL)


def command() -> str:
    """How the running user reaches this command, for log lines that tell them what to run:
    `followup-bot` when that is what their shell finds, else the path they ran it by (after
    `make run`, `.venv/bin/followup-bot`), else `python -m bot` with their interpreter."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path()
    if script.name == "followup-bot":
        found = shutil.which("followup-bot")
        if found is not None and Path(found).resolve() == script.resolve():
            return "followup-bot"
        return _near(script)
    return f"{_near(Path(sys.executable))} -m bot"


def _near(path: Path) -> str:
    """`path` relative to the working directory when it lies below it, else as it is."""
    try:  # links kept: a venv's python is a link to the interpreter it was made from
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except ValueError:
        return str(path)

"""A backfill's progress: a bar with the time left on a terminal, a log line every tenth
otherwise."""

from __future__ import annotations

import logging
import sys
from datetime import timedelta

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from bot.config import Config

log = logging.getLogger("bot")


class BackfillProgress:
    """A progress bar with the time left on a terminal, a log line every tenth otherwise.
    The estimate comes from the pace Discord allows, which is what a backfill waits on."""

    def __init__(self, config: Config) -> None:
        pace = config.discord
        self.seconds_each = max(2.0 / pace.burst, 60.0 / pace.max_per_minute)
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._logged = -1

    def __enter__(self) -> BackfillProgress:
        if sys.stdout.isatty():
            self._bar = Progress(
                TextColumn("backfill"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def update(self, done: int, total: int) -> None:
        if self._bar is not None:
            if self._task is None:
                self._task = self._bar.add_task("backfill", total=total)
            self._bar.update(self._task, completed=done, total=total)
            return
        tenth = done * 10 // max(total, 1)
        if total and tenth != self._logged:
            self._logged = tenth
            left = timedelta(seconds=round((total - done) * self.seconds_each))
            log.info("backfill: %d of %d messages delivered, about %s left", done, total, left)

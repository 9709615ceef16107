"""Locks shared by every process on one database, held with flock(2) on files beside it.

The kernel releases them when their process dies, so a crash never leaves one behind.
- the *service* lock is held for a `run`'s whole life: a second service on the same
  database is refused with a clear line;
- the *delivery* lock is held while one process drains the outbox: `run`, `poll`,
  `backfill` and `retry` take turns, so a row is never sent by two processes at once, and
  a row found 'sending' by the holder can only be one whose sender died.
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import logging
import os
import stat
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.errors import BotError

log = logging.getLogger(__name__)


class FileLock:
    """An exclusive, non-blocking flock on `path`; the holder's pid is written into it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Take the lock if it is free; False when another process holds it."""
        if self._fd is not None:
            return True
        fd = self._open(os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return True

    def _open(self, flags: int) -> int:
        """The lock file, never through a symbolic link and only if it is a regular file: a
        link planted beside the database would have the pid written into another file."""
        try:
            fd = os.open(self.path, flags | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, 0o600)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise BotError(f"lock file {self.path} is a symbolic link: remove it") from None
            raise BotError(f"lock file {self.path}: {exc.strerror or exc}") from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise BotError(f"lock file {self.path} is not a regular file: remove it")
        return fd

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def holder(self) -> str:
        """The pid written by the process holding the lock, or '' if unknown."""
        try:
            fd = self._open(os.O_RDONLY)
        except BotError:
            return ""
        with os.fdopen(fd, "rb") as file:
            text = file.read(64).decode("ascii", errors="replace").strip()
        return text[:12] if text.isdigit() else ""


def service_lock(db: str) -> FileLock | None:
    """The lock a `run` holds for its life (None for an in-memory database)."""
    return None if db == ":memory:" else FileLock(f"{db}.service.lock")


class DeliveryLock:
    """Turns at draining the outbox, across processes; waits politely for its turn."""

    def __init__(self, db: str, poll: float = 0.2) -> None:
        self._lock = None if db == ":memory:" else FileLock(f"{db}.delivery.lock")
        self._poll = poll

    @asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        if self._lock is None:
            yield
            return
        told = False
        while not self._lock.acquire():
            if not told:
                log.info(
                    "another process (pid %s) is delivering to Discord: waiting for it", self._lock.holder()
                )
                told = True
            await asyncio.sleep(self._poll)
        try:
            yield
        finally:
            self._lock.release()

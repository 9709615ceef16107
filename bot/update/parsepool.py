"""Worker processes for the CPU-bound part of a poll (parsing and judging a large body), so
that both cores work on a big poll; each job has a deadline, after which its worker is
killed: one pathological body must not burn a core forever or make shutdown wait for it.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

POOL_MIN_BYTES = 32 * 1024  # smaller bodies parse faster than a worker process answers
PARSE_TIMEOUT = 60.0  # seconds one body may take; feedparser needs well under one for 10 MB


class ParseTimeout(Exception):
    """A job ran past its deadline; its worker was stopped."""


class ParserPool:
    """A lazily started pool of worker processes; jobs run in a thread when it cannot help
    (one core, a small body, or workers that keep dying)."""

    def __init__(self, timeout: float = PARSE_TIMEOUT) -> None:
        self.timeout = timeout
        self._pool: ProcessPoolExecutor | None = None
        self._broken = False
        self._closed = False

    def _worth_it(self, size: int) -> bool:
        return size >= POOL_MIN_BYTES and (os.cpu_count() or 1) > 1 and not self._broken

    async def run(self, work: Callable[[], T], size: int) -> T:
        """`work()` in a worker process (or a thread), within the deadline, else ParseTimeout."""
        if self._closed:
            raise ParseTimeout("not parsed: shutting down")
        if not self._worth_it(size):
            return await asyncio.to_thread(work)
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(max_workers=os.cpu_count(), mp_context=context)
        pool = self._pool
        job = asyncio.get_running_loop().run_in_executor(pool, work)
        try:
            return await asyncio.wait_for(job, self.timeout)
        except TimeoutError:
            log.warning("a parse job ran past %gs: stopping its worker processes", self.timeout)
            self._stop(pool)
            raise ParseTimeout(f"parsing took longer than {self.timeout:g}s") from None
        except BrokenProcessPool:
            if pool is not self._pool:
                # Stopped here (another job's deadline, or shutdown): a fresh pool takes it.
                return await self.run(work, size)
            log.warning("parser worker processes failed; parsing in this process from now on")
            self._broken = True
            self._stop(pool)
            return await asyncio.to_thread(work)

    def _stop(self, pool: ProcessPoolExecutor) -> None:
        """Kill the pool's workers (a job past its deadline cannot be cancelled otherwise)."""
        if pool is self._pool:
            self._pool = None
        # ProcessPoolExecutor offers no way to stop a running job: its processes are killed.
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        self._closed = True
        if self._pool is not None:
            self._stop(self._pool)

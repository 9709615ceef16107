"""parsepool: parse jobs run in worker processes with a deadline; a job past it is stopped."""

from __future__ import annotations

import asyncio
import functools
import os
import time

import pytest

from bot.update.parsepool import POOL_MIN_BYTES, ParserPool, ParseTimeout

pytestmark = pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the pool is used only with 2+ cores")


def test_a_job_past_its_deadline_is_stopped_and_the_pool_recovers() -> None:
    async def go() -> int:
        pool = ParserPool(timeout=1.0)
        try:
            with pytest.raises(ParseTimeout, match="longer than 1s"):
                await pool.run(functools.partial(time.sleep, 600), POOL_MIN_BYTES)
            return await pool.run(functools.partial(sum, [1, 2, 3]), POOL_MIN_BYTES)
        finally:
            pool.close()

    assert asyncio.run(go()) == 6


def test_closing_does_not_wait_for_a_running_job() -> None:
    async def go() -> None:
        pool = ParserPool(timeout=600.0)
        job = asyncio.create_task(pool.run(functools.partial(time.sleep, 600), POOL_MIN_BYTES))
        await asyncio.sleep(0)  # run() submits the job to the worker processes
        start = time.monotonic()
        pool.close()
        assert time.monotonic() - start < 30  # it used to wait for the job: 600 s
        job.cancel()
        await asyncio.gather(job, return_exceptions=True)

    asyncio.run(go())

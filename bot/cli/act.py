"""The commands that act, and so need a valid feeds.yaml: check, poll, run, backfill,
retry, summarize."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from bot.app import App
from bot.cli.progress import BackfillProgress
from bot.config import Config, Env, check_http_url, load_config
from bot.scheduler import Service
from bot.store import Store
from bot.text import printable
from bot.update import CycleReport, Pipeline
from bot.update.history import Backfill, backfill

log = logging.getLogger("bot")
T = TypeVar("T")


def cmd_check(args: argparse.Namespace, config: Config, env: Env, db: str) -> int:
    print(f"{config.path}: ok: topic {config.topic.name!r}, {len(config.feeds)} feeds, mode {env.mode}")
    return 0


def run_with(
    env: Env, config: Config, db: str, work: Callable[[App, Pipeline], Awaitable[T]], quiet: bool = False
) -> T:
    """Open the application and its pipeline around `work` and close them whatever happens;
    `quiet` for commands that post nothing (no console-mode notice)."""

    async def go() -> T:
        async with App.open(config, env, db, quiet=quiet) as app:
            return await work(app, Pipeline(app))

    return asyncio.run(go())


def _report(cycle: CycleReport) -> int:
    failed = [f for f in cycle.feeds if not f.ok]
    if cycle.delivery.stopped:
        print(f"followup-bot: delivery stopped: {cycle.delivery.stopped}", file=sys.stderr)
        return 1
    return 1 if cycle.feeds and len(failed) == len(cycle.feeds) else 0


def cmd_poll(args: argparse.Namespace, config: Config, env: Env, db: str) -> int:
    cycle = run_with(env, config, db, lambda app, pipeline: pipeline.poll())
    log.info("poll done: %d posted", cycle.delivery.sent)
    return _report(cycle)


def cmd_run(args: argparse.Namespace, config: Config, env: Env, db: str) -> int:
    run_with(
        env, config, db, lambda app, pipeline: Service(app, pipeline, lambda: load_config(config.path)).run()
    )
    return 0


def cmd_backfill(args: argparse.Namespace, config: Config, env: Env, db: str) -> int:
    since = datetime.combine(args.since, datetime.min.time(), tzinfo=UTC)
    until = (
        datetime.combine(args.until, datetime.min.time(), tzinfo=UTC) + timedelta(days=1)
        if args.until
        else None
    )
    feed = config.feed(args.feed) if args.feed else None
    progress = BackfillProgress(config)
    with progress:
        developments, cycle = run_with(
            env,
            config,
            db,
            lambda app, pipeline: backfill(
                app,
                pipeline,
                Backfill(
                    since,
                    until,
                    feed,
                    args.dry_run,
                    dated_searches=args.search,
                    courtlistener_token=env.courtlistener_token,
                ),
                progress=progress.update,
            ),
        )
    if args.dry_run:
        for dev in developments:
            when = f"{dev.first_published:%Y-%m-%d %H:%M}"
            print(printable(f"{when}  {len(dev.coverage) + 1:3} stories  {dev.lead.title}"))
        print(f"{len(developments)} developments would be posted", file=sys.stderr)
        return 0
    assert cycle is not None
    for report in cycle.feeds:
        if config.feed(report.feed).kind != "feed" and report.ok:
            log.info(
                "backfill: docket feed %s holds %d entries of the followed case (a docket feed holds"
                " its latest 30 or so; older filings are out of its reach)",
                report.feed,
                report.entries,
            )
    log.info("backfill: %d messages sent for %d developments", cycle.delivery.sent, len(developments))
    return _report(cycle) if cycle.delivery.stopped else 0


def cmd_retry(args: argparse.Namespace, config: Config, env: Env, db: str) -> int:
    with closing(Store(db)) as store, store.transaction():
        requeued = store.retry_dead(datetime.now(UTC))
        halted = store.halted()
        store.resume()
    if halted:
        print(f"delivery halt lifted (was: {halted.reason})")
    print(f"{requeued} dead deliveries re-queued")
    report = run_with(env, config, db, lambda app, pipeline: app.deliver())
    print(f"{report.sent} delivered")
    if report.stopped:
        print(f"followup-bot: delivery stopped: {report.stopped}", file=sys.stderr)
        return 1
    return 0


def cmd_summarize(args: argparse.Namespace, config: Config, env: Env, db: str) -> int:
    check_http_url(args.url, "summarize", "URL")
    digest = run_with(
        Env(),
        config,
        db,
        lambda app, _: app.digester.digest(args.title, "", args.url, fetch=True),
        quiet=True,
    )
    if args.json:
        report = {"url": args.url, "source": digest.source, "summary": digest.text, "chars": len(digest.text)}
        print(json.dumps(report, indent=2, ensure_ascii=False))
    elif digest.text:
        print(printable(digest.text))
    if not digest.text:
        print(f"followup-bot: no summary: the article at {args.url} could not be read", file=sys.stderr)
        return 1
    return 0

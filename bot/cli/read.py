"""The commands that only read the database: status, health, stories, explain --entry.
They need no valid feeds.yaml (`config` may be None): an operator must be able to ask a
running service how it is while a bad edit of feeds.yaml waits to be fixed."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime

from bot.config import Config, Env
from bot.config.load import listening
from bot.errors import BotError, ConfigError
from bot.intake import docket
from bot.judge.match import Rules, judge
from bot.models import Verdict
from bot.report import default_max_age, feed_line, liveness, opml, public, running, status_lines
from bot.store import Store, to_json
from bot.text import printable
from bot.web.server import Site, serve


def cmd_status(args: argparse.Namespace, config: Config | None, env: Env, db: str) -> int:
    with closing(Store(db, readonly=True)) as store:
        report = store.status()
    if args.json:
        report = replace(report, feeds=tuple(public(feed) for feed in report.feeds))
        print(json.dumps({"mode": env.mode, **to_json(report)}, indent=2, ensure_ascii=False))
        return 0
    print(printable("\n".join(status_lines(report, env.mode, datetime.now(UTC)))))
    return 0


def cmd_feeds(args: argparse.Namespace, config: Config | None, env: Env, db: str) -> int:
    """Each feed's health from the database; or, with --opml, feeds.yaml's feed list."""
    if args.opml:
        assert config is not None  # main requires a valid feeds.yaml for --opml
        print(opml(config.topic.name, config.feeds))
        return 0
    with closing(Store(db, readonly=True)) as store:
        report = store.status()
    now = datetime.now(UTC)
    lines = [feed_line(feed, now, running(report)) for feed in report.feeds]
    print(printable("\n".join(lines)) or "no feeds polled yet")
    return 0


DEFAULT_LISTEN = "127.0.0.1:8080"


def cmd_serve(args: argparse.Namespace, config: Config | None, env: Env, db: str) -> int:
    """The read-only web page until SIGINT/SIGTERM; from the database alone if feeds.yaml is
    unreadable (the topic's name then falls back to the bot's)."""
    where = args.listen or (config.web.listen if config else "") or DEFAULT_LISTEN
    host, port = listening(where, "serve", "--listen")
    topic = config.topic.name if config else "followup-bot"
    language = config.discord.language if config else ""

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        Store(db, readonly=True).close()  # there is one, of this version: the page only reads it
        site = Site(db, topic, config.web.base_url if config else "", language)
        try:
            await serve(site, host, port, stop, lambda url: print(url, flush=True))
        except OSError as exc:
            raise BotError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None

    asyncio.run(run())
    return 0


def cmd_health(args: argparse.Namespace, config: Config | None, env: Env, db: str) -> int:
    with closing(Store(db, readonly=True)) as store:
        report = store.status()
    ok, message = liveness(report, datetime.now(UTC), args.max_age or default_max_age(report))
    print(message)
    return 0 if ok else 1


def cmd_stories(args: argparse.Namespace, config: Config | None, env: Env, db: str) -> int:
    with closing(Store(db, readonly=True)) as store:
        rows = store.recent_developments(max(1, args.limit))
    if args.json:
        print(json.dumps(to_json(rows), indent=2, ensure_ascii=False))
        return 0
    for row in rows:
        outlets = ", ".join(row.outlets[:8]) + (f" +{len(row.outlets) - 8}" if len(row.outlets) > 8 else "")
        when = f"{row.first_published:%Y-%m-%d %H:%M}"
        lines = (
            f"{when}  {row.state or 'stored':8}  {row.kind or '-':12}  {row.title}",
            f"{'':16}  {row.coverage} stories, {row.entries} entries: {outlets}",
            f"{'':16}  {row.url}",
        )
        print(printable("\n".join(lines)))
    if not rows:
        print("no developments yet", file=sys.stderr)
    return 0


def cmd_explain(args: argparse.Namespace, config: Config | None, env: Env, db: str) -> int:
    """Judge a headline by the topic rules; or show a stored entry's decision, judged again
    by the current rules when feeds.yaml can be read."""
    title, body, stored, placed, key = " ".join(args.headline), args.text, None, None, ""
    if args.entry is not None:
        with closing(Store(db, readonly=True)) as store:
            found = store.stored_verdict(args.entry)
            placed = store.placement(args.entry)
        if found is None:
            raise BotError(f"no entry with id {args.entry} in {db}")
        title, body, stored, key = found
        if placed is not None and not args.json:
            where = "in no development" if placed[0] is None else f"development {placed[0]}"
            print(printable(f"{where}: {placed[1] or 'placed before reasons were kept'}"))
    development: dict[str, object] | None = {"id": placed[0], "why": placed[1]} if placed else None
    if not (title or body):
        raise ConfigError("explain", "TEXT", "give a headline, --text or --entry")
    if config is None or (stored is not None and docket.is_docket(key)):
        assert stored is not None  # main requires a valid feeds.yaml otherwise
        note = "as decided when it was stored (feeds.yaml could not be read)"
        if docket.is_docket(key):
            note = "a docket entry, judged by its significance, not by the topic's words"
        return _show(args, stored, None, note, development)
    rules = Rules.from_topic(config.topic)
    return _show(args, judge(title, body, rules), rules, "", development)


def _show(
    args: argparse.Namespace,
    verdict: Verdict,
    rules: Rules | None,
    note: str,
    development: dict[str, object] | None = None,
) -> int:
    if args.json:
        report = {
            "development": development,
            "relevant": verdict.relevant,
            "score": verdict.score,
            "threshold": rules.threshold if rules else None,
            "matched": verdict.matched,
            "reasons": verdict.reasons,
        }
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    topic = f" to {rules.name!r}" if rules else ""
    threshold = f" (threshold {rules.threshold:g})" if rules else ""
    verb = "relevant" if verdict.relevant else "not relevant"
    print(f"{verb}{topic}: score {verdict.score:g}{threshold}{'; ' + note if note else ''}")
    for reason in verdict.reasons:
        print(printable(f"  {reason}"))
    return 0

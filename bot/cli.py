"""The `followup-bot` command line: check, poll, run, backfill, retry, stories, status, health,
explain, summarize.

Every failure a user can cause ends in one line on stderr and a non-zero exit status:
2 for configuration problems, 1 for anything else. No traceback reaches the user.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from contextlib import closing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from bot import __version__, logs
from bot.config import Config, Env, check_http_url, load_config, load_env, parse_duration
from bot.delivery import make_deliverer
from bot.errors import BotError, ConfigError
from bot.fetch import Fetcher
from bot.match import Rules, judge
from bot.pipeline import CycleReport, Pipeline
from bot.report import default_max_age, liveness, status_lines
from bot.scheduler import Service
from bot.store import Store, to_json
from bot.text import printable

log = logging.getLogger("bot")
T = TypeVar("T")

CONSOLE_NOTICE = (
    "console mode: neither DISCORD_WEBHOOK_URL nor DISCORD_TOKEN is set, so messages are"
    " printed here instead of posted"
)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS lets the options stand before or after the command without overriding.
    common.add_argument("--config", default=argparse.SUPPRESS, help="feeds.yaml to use (default feeds.yaml)")
    common.add_argument("--db", default=argparse.SUPPRESS, help="SQLite database (default state/bot.db)")
    common.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="debug logs")
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS, help="warnings only")
    common.add_argument(
        "--log-format",
        choices=("human", "json"),
        default=argparse.SUPPRESS,
        help="log lines for people or collectors",
    )

    parser = argparse.ArgumentParser(
        prog="followup-bot",
        description="Follow one developing news story across feeds and post it to Discord.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"followup-bot {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("check", parents=[common], help="validate feeds.yaml and the environment; no network")
    sub.add_parser("poll", parents=[common], help="run one poll cycle over all feeds and exit")
    sub.add_parser("run", parents=[common], help="run the service until SIGINT/SIGTERM")

    bf = sub.add_parser(
        "backfill", parents=[common], help="post stored stories in a date range, oldest first"
    )
    bf.add_argument("--since", required=True, type=_day, help="first day, YYYY-MM-DD (UTC)")
    bf.add_argument("--until", type=_day, help="last day, YYYY-MM-DD (UTC, inclusive)")
    bf.add_argument("--feed", help="only stories seen in this feed")
    bf.add_argument(
        "--dry-run", action="store_true", help="list what would be posted; fetch and post nothing"
    )
    bf.add_argument(
        "--search", action="store_true", help="also search Google News feeds week by week (after:/before:)"
    )

    sub.add_parser(
        "retry", parents=[common], help="re-queue dead deliveries and lift a delivery halt, then deliver"
    )

    st = sub.add_parser(
        "stories", parents=[common], help="list developments, newest first, with their coverage and outlets"
    )
    st.add_argument("--limit", type=int, default=20, help="how many (default 20)")
    st.add_argument("--json", action="store_true", help="machine-readable output")

    ex = sub.add_parser(
        "explain",
        parents=[common],
        help="show how the topic rules judge a headline (or a stored entry), and why",
    )
    ex.add_argument("headline", nargs="*", metavar="TEXT", help="the headline to judge")
    ex.add_argument("--text", default="", help="the summary or article text that goes with it")
    ex.add_argument("--entry", type=int, help="judge a stored entry by its id (see `stories --json`)")
    ex.add_argument("--json", action="store_true", help="machine-readable output")

    sm = sub.add_parser(
        "summarize", parents=[common], help="print the summary the bot would post for one article"
    )
    sm.add_argument("url", metavar="URL", help="the article's address")
    sm.add_argument("--title", default="", help="its headline (a summary never repeats it)")
    sm.add_argument("--json", action="store_true", help="machine-readable output")

    hp = sub.add_parser(
        "health",
        parents=[common],
        help="exit 0 if the service completed a poll recently, else 1 (health checks)",
    )
    hp.add_argument(
        "--max-age",
        type=lambda v: parse_duration(v, "health", "--max-age"),
        default=None,
        help="how recent the last completed poll must be (default: 3 intervals, at least 15m)",
    )

    status = sub.add_parser("status", parents=[common], help="feeds' health and the delivery queue")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2024-03-01, got {value!r}") from None


def _setup_logging(args: argparse.Namespace) -> None:
    level = logging.DEBUG if getattr(args, "verbose", False) else logging.INFO
    if getattr(args, "quiet", False):
        level = logging.WARNING
    logs.setup(level, getattr(args, "log_format", "human"))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup_logging(args)
    config_path: str = getattr(args, "config", "feeds.yaml")
    db_path: str = getattr(args, "db", "state/bot.db")
    try:
        config = load_config(config_path)
        env = load_env()
        return COMMANDS[args.command](args, config, env, db_path)
    except ConfigError as exc:
        print(f"followup-bot: {exc}", file=sys.stderr)
        return 2
    except BotError as exc:
        print(f"followup-bot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: still one line, the traceback only with -v
        log.debug("internal error", exc_info=True)
        print(
            f"followup-bot: internal error: {type(exc).__name__}: {exc} (run with -v for details)",
            file=sys.stderr,
        )
        return 1


def cmd_check(args: argparse.Namespace, config: Config, env: Env, db: str) -> int:
    print(f"{config.path}: ok: topic {config.topic.name!r}, {len(config.feeds)} feeds, mode {env.mode}")
    return 0


def _run(
    env: Env, config: Config, db: str, work: Callable[[Pipeline], Awaitable[T]], quiet: bool = False
) -> T:
    """Open the store, fetcher and deliverer around `work`, and close them whatever happens;
    `quiet` for commands that post nothing (no console-mode notice)."""

    async def go() -> T:
        store = Store(db)
        fetcher = Fetcher.from_polling(config.polling)
        deliverer = make_deliverer(env, config)
        if deliverer.mode == "console" and not quiet:
            log.info(CONSOLE_NOTICE)
        pipeline = Pipeline(config, store, fetcher, deliverer)
        try:
            return await work(pipeline)
        finally:
            await pipeline.aclose()
            await fetcher.aclose()
            await deliverer.close()
            store.close()

    return asyncio.run(go())


def _report(cycle: CycleReport) -> int:
    failed = [f for f in cycle.feeds if not f.ok]
    if cycle.delivery.stopped:
        print(f"followup-bot: delivery stopped: {cycle.delivery.stopped}", file=sys.stderr)
        return 1
    return 1 if cycle.feeds and len(failed) == len(cycle.feeds) else 0


def cmd_poll(args: argparse.Namespace, config: Config, env: Env, db: str) -> int:
    cycle = _run(env, config, db, lambda p: p.poll())
    log.info("poll done: %d posted", cycle.delivery.sent)
    return _report(cycle)


def cmd_run(args: argparse.Namespace, config: Config, env: Env, db: str) -> int:
    _run(env, config, db, lambda p: Service(p, reload=lambda: load_config(config.path)).run())
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
        developments, cycle = _run(
            env,
            config,
            db,
            lambda p: p.backfill(
                since, until, feed, args.dry_run, progress=progress.update, search_history=args.search
            ),
        )
    if args.dry_run:
        for dev in developments:
            lead = dev.lead
            print(
                printable(
                    f"{dev.first_published:%Y-%m-%d %H:%M}  {len(dev.coverage) + 1:3} stories  {lead.title}"
                )
            )
        print(f"{len(developments)} developments would be posted", file=sys.stderr)
        return 0
    assert cycle is not None
    log.info("backfill: %d messages sent for %d developments", cycle.delivery.sent, len(developments))
    return _report(cycle) if cycle.delivery.stopped else 0


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


def cmd_retry(args: argparse.Namespace, config: Config, env: Env, db: str) -> int:
    with closing(Store(db)) as store, store.transaction():
        requeued = store.retry_dead(datetime.now(UTC))
        halted = store.halted()
        store.resume()
    if halted:
        print(f"delivery halt lifted (was: {halted.reason})")
    print(f"{requeued} dead deliveries re-queued")
    cycle = _run(env, config, db, lambda p: p.deliver())
    print(f"{cycle.sent} delivered")
    if cycle.stopped:
        print(f"followup-bot: delivery stopped: {cycle.stopped}", file=sys.stderr)
        return 1
    return 0


def cmd_stories(args: argparse.Namespace, config: Config, env: Env, db: str) -> int:
    with closing(Store(db)) as store:
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


def cmd_explain(args: argparse.Namespace, config: Config, env: Env, db: str) -> int:
    title, body = " ".join(args.headline), args.text
    if args.entry is not None:
        store = Store(db)
        try:
            row = store.entry_text(args.entry)
        finally:
            store.close()
        if row is None:
            raise BotError(f"no entry with id {args.entry} in {db}")
        title, body = row
    if not (title or body):
        raise ConfigError("explain", "TEXT", "give a headline, --text or --entry")
    rules = Rules.from_topic(config.topic)
    verdict = judge(title, body, rules)
    if args.json:
        report = {
            "relevant": verdict.relevant,
            "score": verdict.score,
            "threshold": rules.threshold,
            "matched": verdict.matched,
            "reasons": verdict.reasons,
        }
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    print(
        f"{'relevant' if verdict.relevant else 'not relevant'} to {rules.name!r}: score {verdict.score:g}"
        f" (threshold {rules.threshold:g})"
    )
    for reason in verdict.reasons:
        print(f"  {reason}")
    return 0


def cmd_summarize(args: argparse.Namespace, config: Config, env: Env, db: str) -> int:
    check_http_url(args.url, "summarize", "URL")

    digest = _run(
        Env(), config, db, lambda p: p.digester.digest(args.title, "", args.url, fetch=True), quiet=True
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


def cmd_status(args: argparse.Namespace, config: Config, env: Env, db: str) -> int:
    with closing(Store(db)) as store:
        report = store.status()
    if args.json:
        print(json.dumps({"mode": env.mode, **to_json(report)}, indent=2, ensure_ascii=False))
        return 0
    print(printable("\n".join(status_lines(report, env.mode, datetime.now(UTC)))))
    return 0


def cmd_health(args: argparse.Namespace, config: Config, env: Env, db: str) -> int:
    if not Path(db).exists():
        print(f"unhealthy: no database at {db}")
        return 1
    with closing(Store(db)) as store:
        report = store.status()
    ok, message = liveness(report, datetime.now(UTC), args.max_age or default_max_age(report))
    print(message)
    return 0 if ok else 1


COMMANDS: dict[str, Callable[[argparse.Namespace, Config, Env, str], int]] = {
    "check": cmd_check,
    "poll": cmd_poll,
    "run": cmd_run,
    "backfill": cmd_backfill,
    "stories": cmd_stories,
    "status": cmd_status,
    "explain": cmd_explain,
    "retry": cmd_retry,
    "summarize": cmd_summarize,
    "health": cmd_health,
}

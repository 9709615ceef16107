"""The `followup-bot` command line: check, poll, run, backfill, retry, stories, status,
feeds, serve, health, explain, summarize.

Every failure a user can cause ends in one line on stderr and a non-zero exit status:
2 for configuration problems and a read-only command without a database, 1 for anything
else. No traceback reaches the user.

Holds the dispatch (`main`); `parser.py` the grammar; `act.py` the commands that act
(they need a valid feeds.yaml); `read.py` those that only read the database (they do not).
May import anything in `bot`: this is the outermost layer.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from bot import logs
from bot.cli.act import cmd_backfill, cmd_check, cmd_poll, cmd_retry, cmd_run, cmd_summarize
from bot.cli.parser import build_parser
from bot.cli.read import cmd_explain, cmd_feeds, cmd_health, cmd_serve, cmd_status, cmd_stories
from bot.config import Config, Env, load_config, load_env
from bot.errors import BotError, ConfigError, NoDatabase

__all__ = ["build_parser", "main"]

log = logging.getLogger("bot")

Command = Callable[[argparse.Namespace, Config, Env, str], int]
ReadCommand = Callable[[argparse.Namespace, Config | None, Env, str], int]

ACTING: dict[str, Command] = {
    "check": cmd_check,
    "poll": cmd_poll,
    "run": cmd_run,
    "backfill": cmd_backfill,
    "retry": cmd_retry,
    "summarize": cmd_summarize,
}
READING: dict[str, ReadCommand] = {
    "stories": cmd_stories,
    "status": cmd_status,
    "feeds": cmd_feeds,
    "serve": cmd_serve,
    "health": cmd_health,
    "explain": cmd_explain,
}


def _setup_logging(args: argparse.Namespace) -> None:
    level = logging.DEBUG if getattr(args, "verbose", False) else logging.INFO
    if getattr(args, "quiet", False):
        level = logging.WARNING
    logs.setup(level, getattr(args, "log_format", "human"))


def _dispatch(args: argparse.Namespace, config_path: str, db: str) -> int:
    if args.command in ACTING:
        return ACTING[args.command](args, load_config(config_path), load_env(), db)
    # Reading the database needs no feeds.yaml; `explain TEXT` needs the rules, `feeds --opml` the feeds.
    needs_rules = args.command == "explain" and getattr(args, "entry", None) is None
    needs_rules = needs_rules or getattr(args, "opml", False)
    try:
        config: Config | None = load_config(config_path)
    except ConfigError:
        if needs_rules:
            raise
        config = None
    try:
        env = load_env()
    except ConfigError:
        env = Env()  # only `mode` is read, and only to be shown
    return READING[args.command](args, config, env, db)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup_logging(args)
    try:
        return _dispatch(args, getattr(args, "config", "feeds.yaml"), getattr(args, "db", "state/bot.db"))
    except (ConfigError, NoDatabase) as exc:
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

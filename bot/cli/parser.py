"""The command line's grammar: every command and option, with its help."""

from __future__ import annotations

import argparse
from datetime import date

from bot import __version__
from bot.config import parse_duration


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

    sv = sub.add_parser(
        "serve", parents=[common], help="serve the timeline page and feeds of developments, read-only"
    )
    sv.add_argument("--listen", help="host:port (default: web.listen in feeds.yaml, else 127.0.0.1:8080)")

    fd = sub.add_parser("feeds", parents=[common], help="each feed's health, one line each")
    fd.add_argument("--opml", action="store_true", help="print the feed list as OPML 2.0 instead")

    status = sub.add_parser("status", parents=[common], help="feeds' health and the delivery queue")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2024-03-01, got {value!r}") from None

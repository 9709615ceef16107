"""Slash commands in bot mode: /status, /latest [n], /feeds, /explain text:, and, for Manage
Server only, /backfill since: and /mute development:.

The replies are built by pure functions over the store's reports; `install` registers the
commands on a discord.py CommandTree and wires them to what the service hands it. An
interface beside `cli/` and `web/`: it may import the layers below it (`bot.delivery.render`
for Discord's text, `bot.judge`, `bot.report`, `bot.store`) and discord.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import discord
from discord import app_commands

from bot.delivery.render import clip, defuse, escape
from bot.intake.urls import safe_url
from bot.judge.match import Rules, judge
from bot.models import DevelopmentView, Verdict
from bot.report import feed_line, running
from bot.store import DevelopmentSummary, StatusReport, Store

log = logging.getLogger(__name__)

REPLY_MAX = 2000  # Discord's message content limit


def status_text(report: StatusReport) -> str:
    """Feeds' health, the queue and the last post, for /status."""
    queue = ", ".join(f"{n} {state}" for state, n in sorted(report.outbox.items())) or "empty"
    last = f"{report.last_post_at:%Y-%m-%d %H:%M} UTC" if report.last_post_at else "never"
    counts = report.counts
    lines = [
        f"**Last post:** {last}",
        f"**Queue:** {queue}",
        f"**Developments:** {counts.developments} from {counts.stories} stories",
    ]
    if report.halted:
        lines.append(
            f"**Delivery halted** since {report.halted.since:%Y-%m-%d %H:%M} UTC: {report.halted.reason}"
        )
    failing = [f for f in report.feeds if f.failures]
    lines.append(f"**Feeds:** {len(report.feeds) - len(failing)} of {len(report.feeds)} healthy")
    lines += [f"- {escape(f.name)}: {escape(str(f.last_error))[:150]}" for f in failing[:10]]
    return clip_lines(lines)


def latest_text(rows: list[DevelopmentSummary]) -> str:
    """The newest developments with their links and coverage, for /latest."""
    if not rows:
        return "No developments yet."
    lines = []
    for row in rows:
        title = escape(defuse(clip(row.title, 150)))
        url = safe_url(row.url)
        link = f"[{title}](<{url}>)" if url else title
        lines.append(f"- {row.first_published:%Y-%m-%d} {link} ({row.coverage} outlets)")
    return clip_lines(lines)


def feeds_text(report: StatusReport, now: datetime) -> str:
    """Each feed's health, one line each, for /feeds."""
    lines = [f"- {escape(defuse(feed_line(feed, now, running(report))))}" for feed in report.feeds]
    return clip_lines(lines or ["No feed polled yet."])


def explain_text(verdict: Verdict, rules: Rules) -> str:
    """How the topic rules judge a text, and why, for /explain."""
    verb = "Relevant" if verdict.relevant else "Not relevant"
    head = (
        f"**{verb}** to {escape(defuse(rules.name))}: score {verdict.score:g} (threshold {rules.threshold:g})"
    )
    return clip_lines([head, *(f"- {escape(defuse(reason))}" for reason in verdict.reasons)])


def clip_lines(lines: list[str]) -> str:
    """Whole lines up to Discord's 2000-character limit."""
    kept: list[str] = []
    for line in lines:
        if len("\n".join([*kept, line])) > REPLY_MAX:
            break
        kept.append(line)
    return "\n".join(kept)


def parse_day(value: str) -> datetime | None:
    try:
        return datetime.combine(date.fromisoformat(value.strip()), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        return None


ELSEWHERE = "This bot answers only in the server of the channel it posts to."


@dataclass(frozen=True)
class Context:
    """What the commands answer from: the store, the pace of posting, how to queue a
    backfill and ask for its delivery, and the server whose members may use them (commands
    are global on Discord: anyone can add the bot to another server)."""

    store: Store
    seconds_per_post: float
    queue_unposted: Callable[[datetime], list[DevelopmentView]]
    deliver_soon: Callable[[], None]
    home_guild: int
    rules: Callable[[], Rules]  # the topic's, as feeds.yaml says now (it may be reloaded)


def install(tree: app_commands.CommandTree[discord.Client], context: Context) -> None:
    """Register the commands, answering members of the home server only."""
    home_guild = context.home_guild
    quiet = discord.AllowedMentions.none()

    async def elsewhere(interaction: discord.Interaction) -> bool:
        """Refuse (and say so) a command from outside the home server."""
        if interaction.guild_id is not None and interaction.guild_id == home_guild:
            return False
        await interaction.response.send_message(ELSEWHERE, ephemeral=True, allowed_mentions=quiet)
        log.warning(
            "refused /%s from server %s",
            interaction.command.name if interaction.command else "?",
            interaction.guild_id,
        )
        return True

    @tree.command(name="status", description="Feeds' health, the delivery queue and the last post")
    async def status(interaction: discord.Interaction) -> None:
        if await elsewhere(interaction):
            return
        text = status_text(context.store.status())
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=quiet)

    @tree.command(name="latest", description="The latest developments with their links")
    @app_commands.describe(n="how many (1 to 10)")
    async def latest(interaction: discord.Interaction, n: app_commands.Range[int, 1, 10] = 5) -> None:
        if await elsewhere(interaction):
            return
        text = latest_text(context.store.recent_developments(n))
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=quiet)

    @tree.command(name="backfill", description="Post the developments since a day that were never posted")
    @app_commands.describe(since="first day, YYYY-MM-DD (UTC)")
    @app_commands.default_permissions(manage_guild=True)
    async def backfill(interaction: discord.Interaction, since: str) -> None:
        if await elsewhere(interaction):
            return
        # default_permissions only hides the command; the server owner can change that.
        if not interaction.permissions.manage_guild:
            text = "Only members with Manage Server can backfill."
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=quiet)
            return
        start = parse_day(since)
        if start is None:
            text = f"Expected a day like 2024-02-29, got {escape(defuse(since[:40]))}."
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=quiet)
            return
        developments = context.queue_unposted(start)
        minutes = len(developments) * context.seconds_per_post / 60
        text = f"Posting {len(developments)} developments since {start:%Y-%m-%d}, about {minutes:.0f} min."
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=quiet)
        log.info(
            "/backfill since %s by %s: %d developments", start.date(), interaction.user, len(developments)
        )
        context.deliver_soon()

    @tree.command(name="feeds", description="Each feed's health")
    async def feeds(interaction: discord.Interaction) -> None:
        if await elsewhere(interaction):
            return
        text = feeds_text(context.store.status(), datetime.now(UTC))
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=quiet)

    @tree.command(name="explain", description="How the topic rules judge a headline or text, and why")
    @app_commands.describe(text="a headline, or a headline and its text")
    async def explain(interaction: discord.Interaction, text: app_commands.Range[str, 1, 2000]) -> None:
        if await elsewhere(interaction):
            return
        rules = context.rules()
        answer = explain_text(judge(text, "", rules), rules)
        await interaction.response.send_message(answer, ephemeral=True, allowed_mentions=quiet)

    @tree.command(name="mute", description="Stop the edits and pings of one development (see /latest)")
    @app_commands.describe(development="its number", undo="allow its edits and pings again")
    @app_commands.default_permissions(manage_guild=True)
    async def mute(interaction: discord.Interaction, development: int, undo: bool = False) -> None:
        if await elsewhere(interaction):
            return
        if not interaction.permissions.manage_guild:
            text = "Only members with Manage Server can mute."
        elif not context.store.mute(development, not undo):
            text = f"There is no development {development}."
        else:
            text = f"Development {development} " + (
                "may be edited again." if undo else "is muted: no more edits or pings."
            )
            log.info("/mute %d (undo %s) by %s", development, undo, interaction.user)
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=quiet)

    # registered on the tree; names kept only for the decorators
    del status, latest, backfill, feeds, explain, mute

"""Stories to Discord messages: pure, and always within Discord's documented limits."""

from __future__ import annotations

import re

from bot.models import Message, Story
from bot.summarize import summarize
from bot.text import squash

TITLE_MAX = 256
DESCRIPTION_MAX = 4096
AUTHOR_MAX = 256
FOOTER_MAX = 2048
URL_MAX = 2048
# A zero-width space after '@' defuses @everyone/@here and user/role mentions in feed text,
# even in places where allowed_mentions does not apply (embeds never ping, content does).
_MENTION = re.compile(r"@(?=everyone|here|[!&]?\d)")


def defuse(text: str) -> str:
    return _MENTION.sub("@\u200b", text)


def clip(text: str, limit: int) -> str:
    """One line of at most `limit` characters, with an ellipsis when cut."""
    text = squash(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def safe_url(url: str) -> str:
    """Only http(s) URLs of sane length go into an embed; anything else is dropped."""
    url = url.strip()
    if url.lower().startswith(("http://", "https://")) and len(url) <= URL_MAX and " " not in url:
        return url
    return ""


def render_story(story: Story, *, max_chars: int = 500, footer: str = "") -> Message:
    """One embed for one story: headline, link, summary, outlet, publication time."""
    title = defuse(story.title)
    limit = min(max_chars, DESCRIPTION_MAX)
    return Message(
        title=clip(title, TITLE_MAX) or clip(defuse(story.url), TITLE_MAX) or "(untitled)",
        url=safe_url(story.url),
        description=summarize(title, defuse(story.summary), "", limit),
        author=clip(defuse(story.outlet), AUTHOR_MAX),
        timestamp=story.published,
        footer=clip(defuse(footer), FOOTER_MAX),
    )


def render_console(message: Message) -> str:
    """The plain-text form printed in console mode."""
    lines = [f"== {message.title}"]
    if message.url:
        lines.append(message.url)
    if message.description:
        lines.append(message.description)
    byline = " · ".join(x for x in (message.author, message.timestamp.isoformat()) if x)
    lines.append(f"-- {byline}")
    return "\n".join(lines)

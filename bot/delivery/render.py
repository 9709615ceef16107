"""Stories to Discord messages: pure, and always within Discord's documented limits."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from bot.intake.docket import is_docket
from bot.intake.urls import host_of, outlet_key, safe_url
from bot.judge.lead import best_lead
from bot.models import DevelopmentView, EmbedField, Message, Story
from bot.prose.summarize import summary_or_lede
from bot.text import cut, squash

CONTENT_MAX = 2000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
AUTHOR_MAX = 256
FOOTER_MAX = 2048
FIELD_VALUE_MAX = 1024
EMBED_TOTAL_MAX = 6000
MAX_LISTED = 10
ALSO_COVERED = "Also covered by"
PRIMARY = "Primary source"
_MARKDOWN = re.compile(r"[\[\]()<>*_~`|\\]")  # dropped from outlet names inside our links
# Escaped in titles and summaries: emphasis, code, spoilers, masked links, headings, quotes.
_MARKUP = re.compile(r"[\\*_~`|\[\]<>]|^[#>-]")
# A zero-width space after '@' defuses @everyone/@here and user/role mentions in feed text,
# even in places where allowed_mentions does not apply (embeds never ping, content does).
_MENTION = re.compile(r"@(?=everyone|here|[!&]?\d)")


def defuse(text: str) -> str:
    return _MENTION.sub("@\u200b", text)


def escape(text: str) -> str:
    """Backslash-escape markdown so feed text shows as written: no bold, links or headings."""
    return _MARKUP.sub(r"\\\g<0>", text)


def fit(text: str, limit: int, shorten: Callable[[str, int], str]) -> str:
    """`text` escaped, shortened first (with `shorten`) until the escaped form fits `limit`."""
    while len(out := escape(text)) > limit:
        # Escapes lengthen the text in proportion to how much markup it holds.
        text = shorten(text, max(1, min(len(text) - 1, len(text) * limit // len(out))))
    return out


def clip(text: str, limit: int) -> str:
    """One line of at most `limit` characters, with an ellipsis when cut."""
    text = squash(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_story(story: Story, *, max_chars: int = 500, footer: str = "") -> Message:
    """One embed for one story: headline, link, summary, outlet, publication time."""
    title = defuse(story.title)
    limit = min(max_chars, DESCRIPTION_MAX)
    # Defused after summarising: the summariser decodes entities ('&amp;#64;everyone').
    summary = defuse(story.digest or summary_or_lede(story.title, story.summary, limit))
    return Message(
        title=fit(squash(title), TITLE_MAX, clip) or clip(defuse(story.url), TITLE_MAX) or "(untitled)",
        url=safe_url(story.url),
        description=fit(summary, limit, cut),
        author=clip(defuse(story.outlet), AUTHOR_MAX),
        timestamp=story.published,
        footer=clip(defuse(footer), FOOTER_MAX),
        thumbnail=safe_url(story.image),
    )


def render_development(
    development: DevelopmentView, *, max_chars: int = 500, language: str = "", thumbnails: bool = True
) -> Message:
    """The lead story's embed, plus an "Also covered by" field listing the other outlets.

    The lead is the best story (`best_lead`): in the channel's language, titled, with text. A lead
    with nothing to summarise (an aggregator item that only repeats its headline) gives way
    to the earliest story that has a summary, so an edit can improve the post. The lead's
    picture is the thumbnail (with `thumbnails`)."""
    development = best_lead(development, language)
    message = render_story(development.lead, max_chars=max_chars)
    if not message.description:
        for story in development.coverage:
            if (better := render_story(story, max_chars=max_chars)).description:
                development = replace(
                    development,
                    lead=story,
                    coverage=(development.lead, *(c for c in development.coverage if c != story)),
                )
                message = better
                break
    if not thumbnails:
        message = replace(message, thumbnail="")
    fields = tuple(EmbedField(PRIMARY, value) for value in [primary_source(development)] if value)
    others = _other_outlets(development)
    if not others:
        return within_total(replace(message, fields=fields)) if fields else message
    fields += (EmbedField(ALSO_COVERED, coverage_list(others)),)
    footer = f"{len(others) + 1} outlets"
    return within_total(replace(message, fields=fields, footer=footer))


def primary_source(development: DevelopmentView) -> str:
    """The development's docket entries, one line each, linking the filing's PDF (never
    downloaded) or else the docket: "Dkt. 512: Notice of appeal (PDF)"; '' if none."""
    entries = [s for s in (development.lead, *development.coverage) if is_docket(s.canonical_url)]
    lines = []
    for story in sorted(entries, key=lambda s: s.published)[:MAX_LISTED]:
        label = _MARKDOWN.sub("", fit(defuse(squash(story.title)), 200, clip))
        pdf, url = safe_url(story.document), safe_url(story.url)
        link = (pdf or url).replace("(", "%28").replace(")", "%29")
        lines.append(f"[{label}]({link}){' (PDF)' if pdf else ''}" if link else label)
    return clip_field("\n".join(lines))


def clip_field(value: str) -> str:
    """A field's value within Discord's limit, cut at a line."""
    while len(value) > FIELD_VALUE_MAX and "\n" in value:
        value = value.rsplit("\n", 1)[0]
    return value[:FIELD_VALUE_MAX]


def within_total(message: Message) -> Message:
    """Shorten the description so the embed stays within Discord's 6000-character total."""
    other = len(message.title) + len(message.author) + len(message.footer)
    other += sum(len(f.name) + len(f.value) for f in message.fields)
    room = EMBED_TOTAL_MAX - other
    if len(message.description) <= room:
        return message
    return replace(message, description=cut(message.description, max(0, room)) if room > 1 else "")


def _other_outlets(development: DevelopmentView) -> list[Story]:
    """One story per outlet other than the lead's, earliest first; docket entries are the
    primary source, not coverage."""
    seen = {_outlet_key(development.lead)}
    others = []
    for story in development.coverage:
        if is_docket(story.canonical_url):
            continue
        key = _outlet_key(story)
        if key not in seen:
            seen.add(key)
            others.append(story)
    return others


def _outlet_key(story: Story) -> str:
    return outlet_key(story.outlet, story.url)


def coverage_list(stories: list[Story], shown: int = MAX_LISTED) -> str:
    """`[Outlet](url)` links, one per line, up to `shown`, then "+N more"; always ≤ 1024."""
    lines: list[str] = []
    for story in stories[:shown]:
        name = clip(_MARKDOWN.sub("", defuse(story.outlet or host_of(story.url))), 80) or "link"
        url = safe_url(story.url)
        line = f"[{name}]({url.replace('(', '%28').replace(')', '%29')})" if url else name
        rest = len(stories) - len(lines) - 1
        more = f"\n+{rest} more" if rest else ""
        if len("\n".join([*lines, line])) + len(more) > FIELD_VALUE_MAX:
            break
        lines.append(line)
    hidden = len(stories) - len(lines)
    if hidden:
        lines.append(f"+{hidden} more")
    return "\n".join(lines)


def render_ping(
    development: DevelopmentView, role: int, outlets: int, within: str, language: str = ""
) -> Message:
    """The one follow-up that pings `role` when a development's coverage surges: a line of
    text naming the surge and the development's headline, with its link."""
    lead = best_lead(development, language).lead
    headline = fit(defuse(squash(lead.title)), 300, clip)
    url = safe_url(lead.url)
    content = f"<@&{role}> Coverage is surging: {outlets} outlets within {within}: {headline}"
    if url and len(content) + len(url) + 3 <= CONTENT_MAX:  # a link too long to fit is left out
        content += f" <{url}>"
    return Message(
        title="", url="", description="", author="", timestamp=lead.published, content=content, mention=role
    )


def render_notice(text: str, when: datetime) -> Message:
    """A message from the bot about itself: a feed failing, or working again."""
    return Message(
        title="followup-bot",
        url="",
        description=fit(defuse(squash(text)), 1000, cut),
        author="",
        timestamp=when,
    )


def render_console(message: Message, edit_of: str | None = None) -> str:
    """The plain-text form printed in console mode."""
    lines = [f"== {'(update) ' if edit_of else ''}{message.title or message.content}"]
    if message.content and message.title:
        lines.append(message.content)
    if message.url:
        lines.append(message.url)
    if message.description:
        lines.append(message.description)
    for field in message.fields:
        lines.append(f"{field.name}:")
        lines.extend(f"  {line}" for line in field.value.splitlines())
    if message.thumbnail:
        lines.append(f"[picture: {message.thumbnail}]")
    byline = " · ".join(x for x in (message.author, message.timestamp.isoformat()) if x)
    lines.append(f"-- {byline}")
    return "\n".join(lines)

"""The developments as a feed for other tools (RSS readers, Slack or Matrix bridges): Atom
1.0 and JSON Feed 1.1, one entry per development, its `updated` time moving when it gains
coverage. Pure: built from `Syndicated` records, every text escaped, only http(s) links."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape, quoteattr

from bot.intake.urls import safe_url
from bot.judge.lead import best_lead
from bot.models import DevelopmentView
from bot.text import squash

LIMIT = 50  # developments in a feed: the latest


@dataclass(frozen=True)
class Syndicated:
    """A development as a feed entry: its stories, and when it last gained one."""

    development: DevelopmentView
    updated: datetime
    outlets: tuple[str, ...]  # all that covered it, sorted (the view holds its latest stories only)


def _summary(item: Syndicated, language: str) -> tuple[str, str, str]:
    """Headline, link and text of a development's entry: its best story's, with the outlets."""
    lead = best_lead(item.development, language).lead
    outlets = item.outlets
    text = squash(lead.digest or lead.summary or lead.content)
    covered = f"Covered by {len(outlets)} outlets: {', '.join(outlets[:12])}." if outlets else ""
    return squash(lead.title) or "(untitled)", safe_url(lead.url), " ".join(p for p in (text, covered) if p)


def entry_id(item: Syndicated, base: str) -> str:
    return f"{base.rstrip('/')}/developments/{item.development.id}"


def atom(items: Sequence[Syndicated], title: str, base: str, now: datetime, language: str = "") -> str:
    """An Atom 1.0 feed of `items` (newest first) for the page at `base`; an empty one was
    last updated `now`."""
    base = base.rstrip("/")
    updated = max((i.updated for i in items), default=now)
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{escape(title)}</title>",
        f"<id>{escape(base)}/</id>",
        f'<link rel="alternate" href={quoteattr(base + "/")}/>',
        f'<link rel="self" href={quoteattr(base + "/feed.atom")}/>',
        f"<updated>{updated.isoformat()}</updated>",
        "<author><name>followup-bot</name></author>",
    ]
    for item in items:
        headline, link, text = _summary(item, language)
        development = item.development
        lines += [
            "<entry>",
            f"<title>{escape(headline)}</title>",
            f"<id>{escape(entry_id(item, base))}</id>",
            f'<link rel="alternate" href={quoteattr(link or entry_id(item, base))}/>',
            f'<link rel="related" href={quoteattr(entry_id(item, base))}/>',
            f"<published>{development.first_published.isoformat()}</published>",
            f"<updated>{item.updated.isoformat()}</updated>",
            f"<category term={quoteattr(development.kind or 'news')}/>",
            f"<summary>{escape(text)}</summary>",
            "</entry>",
        ]
    return "\n".join([*lines, "</feed>"]) + "\n"


def json_feed(items: Sequence[Syndicated], title: str, base: str, language: str = "") -> str:
    """A JSON Feed 1.1 document of `items` (newest first) for the page at `base`."""
    base = base.rstrip("/")
    entries = []
    for item in items:
        headline, link, text = _summary(item, language)
        entries.append(
            {
                "id": entry_id(item, base),
                "url": link or entry_id(item, base),
                "external_url": entry_id(item, base),
                "title": headline,
                "content_text": text or headline,
                "date_published": item.development.first_published.isoformat(),
                "date_modified": item.updated.isoformat(),
                "tags": [item.development.kind or "news"],
            }
        )
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": base + "/",
        "feed_url": base + "/feed.json",
        "items": entries,
    }
    return json.dumps(document, ensure_ascii=False, indent=1)

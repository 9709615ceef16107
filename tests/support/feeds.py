"""Build small RSS documents for tests, and the test configuration that points at them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

TOPIC_YAML = """\
topic:
  name: Musk v. OpenAI
  require:
    musk: [musk]
    openai_side: [openai, altman, brockman]
  threshold: 2
  cues:
    legal:
      weight: 1
      cap: 3
      terms: [lawsuit*, sue, sues, sued, trial, jury, judge*, verdict*, klage*, proces]
    other_cases: {weight: -3, terms: [trade secret*]}
  developments:
    window: 3d
    events:
      verdict: [verdict*, jury finds, jury sides]
      trial: [trial date, to a jury]
      appeal: [appeal*]
      roundup: {roundup: true, terms: [week two, what to know]}
      filing: [lawsuit*, sue, sues, sued, klage*]
"""


@dataclass(frozen=True)
class Item:
    title: str
    link: str
    published: datetime | None = None
    guid: str | None = None
    description: str = ""
    source: str = ""


def press(title: str, n: int, when: datetime, lede: str) -> Item:
    """Outlet n's story: its own link and name, published `when`."""
    return Item(title, f"https://o{n}.example/{n}", when, description=lede, source=f"Outlet {n}")


def rss(items: list[Item], title: str = "Test feed") -> bytes:
    """An RSS 2.0 document holding `items`."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>https://example.org/</link>",
    ]
    for item in items:
        parts.append("<item>")
        parts.append(f"<title>{escape(item.title)}</title><link>{escape(item.link)}</link>")
        if item.guid is not None:
            parts.append(f'<guid isPermaLink="false">{escape(item.guid)}</guid>')
        if item.published is not None:
            parts.append(f"<pubDate>{format_datetime(item.published)}</pubDate>")
        if item.description:
            parts.append(f"<description>{escape(item.description)}</description>")
        if item.source:
            parts.append(f'<source url="https://example.org">{escape(item.source)}</source>')
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode("utf-8")


def write_config(
    path: Path,
    feeds: dict[str, str],
    extra: str = "",
    languages: dict[str, str] | None = None,
    fetch_articles: bool = False,
    discord: str = "",
    feed_keys: dict[str, dict[str, str]] | None = None,
) -> Path:
    """A feeds.yaml with the test topic, `feeds` as name -> URL, loopback allowed; `discord`
    is the body of its `discord:` section (one key a line, unindented)."""
    # Article pages are fetched only where a test serves them on loopback: the stories'
    # links (*.example) must never make the bot resolve or contact anything else.
    summaries = [] if fetch_articles else ["summaries:", "  fetch_articles: false"]
    lines = [TOPIC_YAML, *summaries, "polling:", "  allow_private: true", "  timeout: 10s", extra, "feeds:"]
    for name, url in feeds.items():
        lines += [f"  - name: {name}", f"    url: {url}"]
        if languages and name in languages:
            lines.append(f"    language: {languages[name]}")
        lines += [f'    {key}: "{value}"' for key, value in (feed_keys or {}).get(name, {}).items()]
    if discord:
        lines += ["discord:", *(f"  {line}" for line in discord.splitlines())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path

"""The HTML pages: the timeline, one development, the feeds' health. Pure: records in, HTML
out, through Jinja2 with autoescaping on, so nothing from a feed can add markup or script;
links are http(s) only (`safe_url`), and the pages need no JavaScript."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from bot.intake.docket import is_docket
from bot.intake.urls import safe_url
from bot.judge.lead import best_lead
from bot.models import DevelopmentView, Story
from bot.store import Spread
from bot.text import cut, primary_language, squash

SUMMARY_MAX = 400
OUTLETS_SHOWN = 30  # outlets named on a row; the rest are counted


@dataclass(frozen=True)
class Link:
    text: str
    url: str  # http(s), or '' (then shown as text)


@dataclass(frozen=True)
class Row:
    """One development as the timeline shows it."""

    id: int
    day: str
    kind: str
    headline: Link
    summary: str
    outlets: tuple[str, ...]  # the first OUTLETS_SHOWN, sorted
    outlet_count: int  # all of them
    languages: tuple[str, ...]
    primary: tuple[Link, ...]
    stories: int


@dataclass(frozen=True)
class Covered:
    """One story of a development, and why it was grouped there."""

    outlet: str
    language: str
    when: str
    link: Link
    why: str


def _link(text: str, url: str) -> Link:
    return Link(squash(text) or "(untitled)", safe_url(url))


def row(development: DevelopmentView, spread: Spread, language: str = "") -> Row:
    """A development as a timeline row: led by its best story, with its docket entries apart.
    `development` holds its lead and latest stories; `spread` counts all of them."""
    lead = best_lead(development, language).lead
    stories = (lead, *development.coverage)
    return Row(
        id=development.id,
        day=f"{development.first_published:%Y-%m-%d}",
        kind=development.kind or "news",
        headline=_link(lead.title, lead.url),
        summary=cut(squash(lead.digest or lead.summary or lead.content), SUMMARY_MAX),
        outlets=spread.outlets[:OUTLETS_SHOWN],
        outlet_count=len(spread.outlets),
        languages=tuple(sorted({primary_language(tag) for tag in spread.languages})),
        primary=tuple(_link(s.title, s.document or s.url) for s in stories if is_docket(s.canonical_url)),
        stories=spread.stories,
    )


def covered(story: Story, why: str) -> Covered:
    return Covered(
        story.outlet or "(unnamed outlet)",
        primary_language(story.language) or "?",
        f"{story.published:%Y-%m-%d %H:%M} UTC",
        _link(story.title, story.document or story.url),
        why,
    )


TEMPLATES = Path(__file__).with_name("templates")  # shipped as package data (pyproject.toml)
STYLE = (TEMPLATES / "style.css").read_text(encoding="utf-8")

_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def timeline(topic: str, rows: Sequence[Row], chart: str, page: int, more: bool, now: datetime) -> str:
    """The timeline page: the chart (trusted: numbers and dates only), then `rows`."""
    return _ENV.get_template("timeline.html").render(
        title=topic,
        topic=topic,
        rows=rows,
        chart=Markup(chart),
        now=f"{now:%Y-%m-%d %H:%M} UTC",
        newer=page - 1 if page > 1 else None,
        older=page + 1 if more else None,
    )


def development(topic: str, r: Row, stories: Sequence[Covered], page: int, more: bool, now: datetime) -> str:
    """One development's page: its row, then a page of its stories with why each is there."""
    return _ENV.get_template("development.html").render(
        title=f"{r.headline.text} · {topic}",
        topic=topic,
        r=r,
        stories=stories,
        now=f"{now:%Y-%m-%d %H:%M} UTC",
        newer=page - 1 if page > 1 else None,
        older=page + 1 if more else None,
    )


def feeds(topic: str, lines: Sequence[str], now: datetime) -> str:
    return _ENV.get_template("feeds.html").render(
        title=f"Feeds · {topic}", topic=topic, lines=lines, now=f"{now:%Y-%m-%d %H:%M} UTC"
    )


def missing(topic: str, what: str, now: datetime) -> str:
    return _ENV.get_template("missing.html").render(
        title=f"Not found · {topic}", topic=topic, what=what, now=f"{now:%Y-%m-%d %H:%M} UTC"
    )

"""Which story leads a development: the one a reader of the channel's language is best
served by. Pure: the post, the page and the feeds all show the same lead."""

from __future__ import annotations

from dataclasses import replace

from bot.intake.docket import is_docket
from bot.models import DevelopmentView, Story
from bot.text import primary_language

FULL_TEXT = 80  # characters of text that make a story's lede worth leading with


def best_lead(development: DevelopmentView, language: str) -> DevelopmentView:
    """The development led by its best story: in the channel's `language` (a story of unknown
    language may well be), with a real headline, with text to summarise, in that order of
    weight; the earliest of equals. Leads change only between these tiers, so an edit moves
    the post to a clearly better story and never churns between equals."""
    wanted = primary_language(language)

    def rank(story: Story) -> tuple[bool, bool, bool, bool]:
        spoken = primary_language(story.language or "")
        text = story.digest or story.summary or story.content
        press = not is_docket(story.canonical_url)  # the docket is the primary source line
        return (
            press,
            not wanted or spoken in ("", wanted),
            bool(story.title.strip()),
            len(text) >= FULL_TEXT,
        )

    stories = (development.lead, *development.coverage)
    best = max(stories, key=rank)  # max keeps the first of equals: the lead, then arrival order
    if best is development.lead:
        return development
    coverage = (development.lead, *(c for c in development.coverage if c != best))
    return replace(development, lead=best, coverage=coverage)

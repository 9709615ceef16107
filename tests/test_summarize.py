"""summarize and article: summaries from the article body only, complete sentences, in limits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.intake.article import extract, followable
from bot.prose.summarize import clean, sentences, summarize, summary_or_lede
from tests.conftest import FIXTURES

ARTICLES = FIXTURES / "articles"
FURNITURE = [
    "cookie",
    "Cookie",
    "newsletter",
    "Newsletter",
    "Read more",
    "Lire aussi",
    "Lesen Sie",
    "Lee también",
    "Sign up",
    "Abonnez",
    "Suscríbete",
    "©",
    "Accept",
    "Home",
    "Accueil",
    "Startseite",
    "Portada",
    "Photo",
    "Foto",
    "Related",
    "Tesla shares",
    "Advertisement",
    "Anzeige",
    "Publicidad",
    "By Alex",
    "Par Claire",
    "Von Jonas",
    "Por Lucía",
    "OAKLAND, Calif.",
    "(dpa)",
]
COMPLETE = re.compile(r"[.!?…][\"'”’»)]*$")
LEDES = {
    "en-verdict.html": "A federal jury on Monday rejected Elon Musk's claim",
    "fr-verdict.html": "Le jury du tribunal fédéral d'Oakland",
    "de-verdict.html": "Die Geschworenen im Prozess von Elon Musk",
    "es-verdict.html": "Un jurado federal de Oakland rechazó",
}


@pytest.mark.parametrize("name", sorted(LEDES))
def test_summary_comes_from_the_article_body_only(name: str) -> None:
    text = extract((ARTICLES / name).read_bytes(), "https://news.example/article")
    summary = summarize("Jury sides with OpenAI", text, 500)
    assert summary.startswith(LEDES[name])  # the lede leads
    assert 150 < len(summary) <= 500
    assert COMPLETE.search(summary), summary[-40:]
    for furniture in FURNITURE:
        assert furniture not in summary, furniture


def test_two_or_three_sentences_in_their_original_order() -> None:
    text = extract((ARTICLES / "en-verdict.html").read_bytes())
    found = [s.text for s in sentences(clean(text))]
    summary = summarize("Jury sides with OpenAI", text, 500)
    picked = [s for s in found if s in summary]
    assert 2 <= len(picked) <= 3
    assert [found.index(s) for s in picked] == sorted(found.index(s) for s in picked)


def test_abbreviations_do_not_end_sentences() -> None:
    text = "U.S. District Judge Yvonne Gonzalez Rogers presided over the case. Mr. Musk testified for days."
    assert [s.text for s in sentences(clean(text))] == [
        "U.S. District Judge Yvonne Gonzalez Rogers presided over the case.",
        "Mr. Musk testified for days.",
    ]


def test_headline_echo_and_headings_are_not_summaries() -> None:
    assert summarize("Musk sues OpenAI", "Musk sues OpenAI - Example News", 500) == ""
    assert summarize("x", "A heading without a full stop at the end of it", 500) == ""


def test_html_and_double_escaped_entities_are_cleaned() -> None:
    text = (
        "<p>OpenAI &amp;amp; Microsoft were sued on Thursday in a federal court.</p><p>The case is new.</p>"
    )
    assert summarize("x", text, 500) == "OpenAI & Microsoft were sued on Thursday in a federal court."


def test_a_single_overlong_sentence_is_the_only_thing_ever_cut() -> None:
    text = "The jury " + "deliberated at great length " * 40 + "before deciding."
    summary = summarize("x", text, 200)
    assert len(summary) <= 200 and summary.endswith("…")


def test_aggregator_links_are_not_followed() -> None:
    assert not followable("https://news.google.com/rss/articles/CBMiabc?oc=5")
    assert followable("https://www.reuters.com/legal/musk-openai/")
    assert not followable("ftp://example.org/a")


ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
TAG = re.compile(r"<[a-zA-Z/!][^>]*>")
MARKUPISH = st.text(max_size=400).map(
    lambda t: t.replace("x", "<b>").replace("y", "&amp;").replace("z", ". ")
)


@given(st.text(max_size=80), MARKUPISH, st.integers(min_value=80, max_value=1000))
def test_any_text_gives_a_summary_within_limits_without_html(title: str, text: str, limit: int) -> None:
    summary = summarize(title, text * 3, limit)
    assert len(summary) <= limit
    assert not TAG.search(summary)
    assert not ENTITY.search(summary)


def test_pages_with_nothing_to_extract_give_nothing(tmp_path: Path) -> None:
    assert extract(b"") == ""
    navigation = extract(b"<html><body><nav><a href='/'>Home</a></nav></body></html>")
    assert summarize("x", navigation, 500) == ""
    assert summarize("x", extract("\x00\x01 not html at all"), 500) == ""


def test_text_without_a_complete_sentence_is_still_posted_cut_at_a_word() -> None:
    """Issue 14: never an empty summary when the item has text."""
    teaser = (
        "Jurors in Oakland heard the last witness as the trial of Musk's case against OpenAI nears its end"
    )
    assert summarize("Trial nears end", teaser, 500) == ""  # no full stop: no complete sentence
    assert summary_or_lede("Trial nears end", teaser, 500) == teaser
    assert summary_or_lede("Trial nears end", teaser, 60).endswith("…")
    assert summary_or_lede("Musk sues OpenAI", "Musk sues OpenAI - Example News", 500) == ""  # an echo
    assert summary_or_lede("x", "The jury ruled for OpenAI on Monday in Oakland.", 500).startswith("The jury")

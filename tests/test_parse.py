"""parse: feed bytes to clean Entry dataclasses."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.errors import ParseError
from bot.intake.parse import parse_feed
from bot.intake.urls import canonical_url
from tests.conftest import FIXTURES, data_path
from tests.support.builders import NOW


def parse(name: str) -> list[object]:
    return list(parse_feed("f", (FIXTURES / name).read_bytes(), now=NOW).entries)


def test_atom_html_is_stripped_dates_are_utc_and_titles_fall_back_to_text() -> None:
    feed = parse_feed("tech", (FIXTURES / "atom-content.xml").read_bytes(), now=NOW)
    first, second = feed.entries
    assert feed.title == "Example Tech"
    assert first.title == "Judge rules in Musk & OpenAI fight"
    assert first.content == "A federal judge ruled on Monday. More text."  # script dropped
    assert first.published == datetime(2026, 5, 4, 12, 30, tzinfo=UTC)
    assert first.has_date and first.author == "Jane Reporter" and first.outlet == "Example Tech"
    assert second.title == "Jurors began deliberating in Oakland."
    assert (second.published, second.has_date) == (NOW, False)


def test_latin1_without_guids_uses_links_and_keeps_first_duplicate() -> None:
    entries = parse_feed("j", (FIXTURES / "latin1-no-guid.xml").read_bytes(), now=NOW).entries
    assert [e.title for e in entries] == ["Procès Musk contre OpenAI : le jury délibère", "Sans guid ni date"]
    assert entries[0].guid == "https://journal.example/proces"
    assert entries[0].published == datetime(2026, 5, 4, 8, 0, tzinfo=UTC)


def test_aggregator_items_name_the_outlet_and_unwrap_links() -> None:
    google, bing = parse_feed("g", (FIXTURES / "google-news-like.xml").read_bytes(), now=NOW).entries
    assert google.title == "Musk asks court to block OpenAI's conversion"
    assert google.outlet == "Daily Example"
    assert google.guid == "CBMiAbc123"
    assert bing.url == "https://www.paper.example/story?id=7"
    assert bing.canonical == canonical_url(bing.url)  # made by the parse worker, once
    assert (bing.published, bing.has_date) == (NOW, False)  # future dates count as first seen


@pytest.mark.parametrize("body", [b"", b"<html><body>hello</body></html>", b"\x00\x01\x02garbage", b"{}"])
def test_not_a_feed_is_a_parse_error_naming_the_feed(body: bytes) -> None:
    with pytest.raises(ParseError, match="feed 'x': not an RSS/Atom feed"):
        parse_feed("x", body, now=NOW)


def _corpus_files(*parts: str) -> list[Path]:
    return sorted(p for p in data_path(*parts).rglob("*") if p.is_file() and p.suffix in {".xml", ".rdf"})


def test_every_real_feed_parses() -> None:
    files = _corpus_files("corpora", "real-feeds")
    empty = {"dailymail-empty-channel-2017.xml"}
    for path in files:
        feed = parse_feed(path.stem, path.read_bytes(), now=NOW)
        assert feed.entries or path.name in empty, path.name
        for entry in feed.entries:
            assert entry.guid and (entry.title or entry.url), path.name
            assert entry.published.tzinfo is UTC


def test_feedparser_corpus_never_raises_anything_but_parse_error() -> None:
    files = _corpus_files("corpora", "feedparser-tests")
    parsed = 0
    for path in files:
        try:
            parse_feed(path.stem, path.read_bytes(), now=NOW)
            parsed += 1
        except ParseError:
            pass
    assert parsed > len(files) * 0.8


def test_an_untitled_item_gets_its_first_sentence_as_headline_cut_at_a_word() -> None:
    lede = (
        "The federal judge overseeing Elon Musk's lawsuit against OpenAI ruled on Tuesday that the"
        " jury will hear the case in the spring, rejecting both sides' requests. More follows."
    )
    body = (
        '<rss version="2.0"><channel><title>T</title><item><link>https://x.example/a</link>'
        f"<description>{lede}</description></item></channel></rss>"
    ).encode()
    [entry] = parse_feed("f", body, now=NOW).entries
    assert len(entry.title) <= 120 and entry.title.endswith("…")
    assert lede.startswith(entry.title[:-1].rstrip())


def test_an_untitled_item_of_one_sentence_keeps_its_text() -> None:
    """The sentence became the headline; the text stays the item's, for the names
    clustering reads in it (an echoed description is dropped only under a real headline)."""
    lede = "Ilya Sutskever testified today at the Musk v. Altman trial."
    body = (
        '<rss version="2.0"><channel><title>T</title><item><link>https://x.example/a</link>'
        f"<source url='https://o.example/'>Outlet</source><description>{lede}</description></item></channel></rss>"
    ).encode()
    [entry] = parse_feed("f", body, now=NOW).entries
    assert (entry.title, entry.summary) == (lede, lede)


def test_an_item_s_picture_is_its_thumbnail_image_content_or_image_enclosure_if_http() -> None:
    items = (
        '<item><title>a</title><link>https://a.example/1</link><media:thumbnail url="https://i.example/a.jpg"/>'
        '<media:content url="https://i.example/other.jpg" medium="image"/></item>'
        '<item><title>b</title><link>https://a.example/2</link><media:content url="https://i.example/v.mp4"'
        ' type="video/mp4"/><media:content url="https://i.example/b.png" medium="image"/></item>'
        "<item><title>c</title><link>https://a.example/3</link>"
        '<enclosure url="https://i.example/c.jpg" type="image/jpeg" length="1"/></item>'
        '<item><title>d</title><link>https://a.example/4</link><media:thumbnail url="javascript:alert(1)"/>'
        '<enclosure url="data:image/png;base64,AAAA" type="image/png" length="1"/></item>'
        "<item><title>e</title><link>https://a.example/5</link>"
        '<enclosure url="https://a.example/pod.mp3" type="audio/mpeg" length="1"/></item>'
    )
    body = (
        '<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">'
        f"<channel><title>t</title>{items}</channel></rss>"
    ).encode()
    parsed = parse_feed("f", body, now=NOW)
    assert [e.image for e in parsed.entries] == [
        "https://i.example/a.jpg",
        "https://i.example/b.png",
        "https://i.example/c.jpg",
        "",  # neither a script nor inline data is a picture to show
        "",
    ]

"""urls: canonical identity of an article's address."""

from __future__ import annotations

import pytest

from bot.urls import canonical_url, host_of, unwrap_redirect

CASES = [
    ("http://example.com/a", "https://example.com/a"),
    ("https://WWW.Example.COM/Path", "https://example.com/Path"),
    ("https://example.com/a/", "https://example.com/a"),
    ("https://example.com/", "https://example.com/"),
    ("https://example.com", "https://example.com/"),
    ("https://example.com/a#section", "https://example.com/a"),
    ("https://example.com/a?utm_source=rss&utm_medium=feed", "https://example.com/a"),
    ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
    ("https://example.com/a?id=7&fbclid=XYZ&gclid=1", "https://example.com/a?id=7"),
    ("https://m.example.com/a", "https://example.com/a"),
    ("https://amp.example.com/a", "https://example.com/a"),
    ("https://example.com/a/amp/", "https://example.com/a"),
    ("https://example.com/a.amp.html", "https://example.com/a.html"),
    ("https://example.com/a?amp", "https://example.com/a"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("https://example.com:8443/a", "https://example.com:8443/a"),
    ("https://example.com/a?mc_cid=1&mc_eid=2", "https://example.com/a"),
    ("  https://example.com/a  ", "https://example.com/a"),
    ("https://www.example/a", "https://www.example/a"),  # "www" is the name itself
    ("mailto:someone@example.com", "mailto:someone@example.com"),
]


@pytest.mark.parametrize(("url", "expected"), CASES)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_canonical_url_is_idempotent() -> None:
    for url, _ in CASES:
        assert canonical_url(canonical_url(url)) == canonical_url(url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "http://www.bing.com/news/apiclick.aspx?ref=FexRss&url=https%3a%2f%2fpaper.example%2fx&c=1",
            "https://paper.example/x",
        ),
        ("https://www.google.com/url?rct=j&url=https://paper.example/y&ct=ga", "https://paper.example/y"),
        (
            "https://www.google.com/url?url=javascript:alert(1)",
            "https://www.google.com/url?url=javascript:alert(1)",
        ),
        ("https://paper.example/z", "https://paper.example/z"),
    ],
)
def test_unwrap_redirect(url: str, expected: str) -> None:
    assert unwrap_redirect(url) == expected


def test_host_of() -> None:
    assert host_of("https://www.example.com/a") == "example.com"
    assert host_of("not a url") == ""

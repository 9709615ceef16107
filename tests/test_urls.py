"""urls: canonical identity of an article's address."""

from __future__ import annotations

import pytest

from bot.intake.urls import canonical_url, host_of, unwrap_redirect

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
    # Real-looking publisher URLs with the tracking their feeds and share buttons add.
    (
        "https://www.reuters.com/legal/musk-openai-trial-2026-05-12/?utm_source=reddit.com",
        "https://reuters.com/legal/musk-openai-trial-2026-05-12",
    ),
    (
        "https://www.theverge.com/2024/3/1/24087937/elon-musk-openai-lawsuit?mtm_campaign=rss&mtm_source=feed",
        "https://theverge.com/2024/3/1/24087937/elon-musk-openai-lawsuit",
    ),
    (
        "https://techcrunch.com/2025/04/09/openai-countersues-elon-musk/?guccounter=1",
        "https://techcrunch.com/2025/04/09/openai-countersues-elon-musk",
    ),
    (
        "https://arstechnica.com/tech-policy/2024/06/musk-drops-suit/#comments",
        "https://arstechnica.com/tech-policy/2024/06/musk-drops-suit",
    ),
    (
        "https://www.lemonde.fr/pixels/article/2024/03/01/elon-musk-porte-plainte_6219530_4408996.html?xtor=RSS-3208",
        "https://lemonde.fr/pixels/article/2024/03/01/elon-musk-porte-plainte_6219530_4408996.html?xtor=RSS-3208",
    ),
    (
        "https://www.heise.de/news/Musk-verklagt-OpenAI-9643400.html?wt_mc=rss.red.ho.ho.atom.beitrag.beitrag",
        "https://heise.de/news/Musk-verklagt-OpenAI-9643400.html?wt_mc=rss.red.ho.ho.atom.beitrag.beitrag",
    ),
    (
        "https://www.nytimes.com/2024/03/01/technology/elon-musk-openai-sam-altman-lawsuit.html?smid=nytcore-ios-share",
        "https://nytimes.com/2024/03/01/technology/elon-musk-openai-sam-altman-lawsuit.html",
    ),
    (
        "https://www.cnbc.com/2025/02/10/musk-bid.html?__source=sharebar|twitter&par=sharebar",
        "https://cnbc.com/2025/02/10/musk-bid.html?__source=sharebar%7Ctwitter&par=sharebar",
    ),
    (
        "https://www.msn.com/en-us/news/technology/musk-openai/ar-AA1?ocid=BingNewsSerp",
        "https://msn.com/en-us/news/technology/musk-openai/ar-AA1",
    ),
    (
        "https://edition.cnn.com/2024/03/01/tech/elon-musk-lawsuit-openai/index.html?cmpid=rss",
        "https://edition.cnn.com/2024/03/01/tech/elon-musk-lawsuit-openai/index.html",
    ),
    (
        "https://www.bbc.co.uk/news/technology-68445981?at_medium=RSS&at_campaign=KARANGA",
        "https://bbc.co.uk/news/technology-68445981?at_campaign=KARANGA&at_medium=RSS",
    ),
    (
        "https://amp.theguardian.com/technology/2024/mar/01/elon-musk-openai-sam-altman-court",
        "https://theguardian.com/technology/2024/mar/01/elon-musk-openai-sam-altman-court",
    ),
    (
        "https://www.theguardian.com/technology/2024/mar/01/elon-musk-openai-sam-altman-court/amp",
        "https://theguardian.com/technology/2024/mar/01/elon-musk-openai-sam-altman-court",
    ),
    (
        "https://m.spiegel.de/netzwelt/elon-musk-verklagt-openai-a-123.html",
        "https://spiegel.de/netzwelt/elon-musk-verklagt-openai-a-123.html",
    ),
    (
        "https://www.elmundo.es/tecnologia/2024/03/01/musk-demanda.amp.html",
        "https://elmundo.es/tecnologia/2024/03/01/musk-demanda.html",
    ),
    (
        "https://www.corriere.it/tecnologia/24_marzo_01/musk-openai.shtml?fbclid=IwAR0x",
        "https://corriere.it/tecnologia/24_marzo_01/musk-openai.shtml",
    ),
    (
        "https://g1.globo.com/tecnologia/noticia/2024/06/11/musk-retira-processo.ghtml?utm_campaign=g1&utm_term=x",
        "https://g1.globo.com/tecnologia/noticia/2024/06/11/musk-retira-processo.ghtml",
    ),
    (
        "HTTPS://WWW.BLOOMBERG.COM/news/articles/2025-02-10/musk-bid?srnd=premium",
        "https://bloomberg.com/news/articles/2025-02-10/musk-bid?srnd=premium",
    ),
    (
        "https://apnews.com/article/musk-openai-abc123?gclid=Cj0&dclid=1&msclkid=2",
        "https://apnews.com/article/musk-openai-abc123",
    ),
    (
        "https://www.wsj.com/tech/ai/musk-openai-trial-4f2e?mod=rss_Technology&mc_cid=1",
        "https://wsj.com/tech/ai/musk-openai-trial-4f2e?mod=rss_Technology",
    ),
    (
        "https://www.ft.com/content/1234-5678?accessToken=zwAAAY&sharetype=gift&token=abc",
        "https://ft.com/content/1234-5678?accessToken=zwAAAY&sharetype=gift&token=abc",
    ),
    ("http://www.example.com:80/a/b/?", "https://example.com/a/b"),
]


@pytest.mark.parametrize(("url", "expected"), CASES)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_at_least_forty_cases() -> None:
    assert len(CASES) >= 40


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

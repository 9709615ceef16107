"""digest: where the posted summary comes from (feed, article page, LLM), and its fallbacks."""

from __future__ import annotations

import asyncio
import json
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import Config, load_config
from bot.intake.fetch import Fetcher, RetryPolicy
from bot.judge.match import Rules
from bot.prose.digest import Digester, PreparedSummary
from bot.store import Store
from tests.conftest import FIXTURES
from tests.support.builders import NOW
from tests.support.cli import command, environment
from tests.support.fake_llm import FakeLLM
from tests.support.feeds import Item, rss, write_config
from tests.support.feedserver import FeedServer, Route
from tests.test_pipeline import poll

ARTICLE = (FIXTURES / "articles" / "en-verdict.html").read_bytes()
LEDE = "A federal jury on Monday rejected Elon Musk's claim"
TEASER = "Jurors decided the case on Monday."


def config(tmp_path: Path, server: FeedServer, llm: str = "") -> Config:
    return load_config(
        write_config(tmp_path / "feeds.yaml", {"f": server.url("/f.xml")}, extra=llm, fetch_articles=True)
    )


def digest(
    cfg: Config, tmp_path: Path, title: str, text: str, url: str, times: int = 1
) -> list[PreparedSummary]:
    async def go() -> list[PreparedSummary]:
        fetcher = Fetcher(allow_private=True, retry=RetryPolicy(attempts=1))
        store = Store(tmp_path / "bot.db")
        digester = Digester(fetcher, store, lambda: NOW)
        digester.configure(cfg, Rules.from_topic(cfg.topic))
        try:
            return [await digester.digest(title, text, url) for _ in range(times)]
        finally:
            await digester.aclose()
            await fetcher.aclose()
            store.close()

    return asyncio.run(go())


def test_a_short_teaser_sends_the_bot_to_the_article(tmp_path: Path, feed_server: FeedServer) -> None:
    feed_server.routes["/article"] = Route(ARTICLE, content_type="text/html; charset=utf-8")
    [result] = digest(
        config(tmp_path, feed_server), tmp_path, "Jury sides with OpenAI", TEASER, feed_server.url("/article")
    )
    assert result.source == "article" and result.text.startswith(LEDE)


LONG_TEXT = "The jury in Oakland found for OpenAI on every claim that Musk had brought. " * 8


def test_with_enough_feed_text_the_page_is_still_read_once_for_its_picture(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """Issue 27: a lead whose feed carried text got no picture; its page is read once."""
    url = feed_server.url("/article")
    feed_server.routes["/article"] = Route(
        b'<html><head><meta property="og:image" content="https://img.example/v.jpg"></head><body></body></html>',
        content_type="text/html",
    )
    [result] = digest(config(tmp_path, feed_server), tmp_path, "Verdict", LONG_TEXT, url)
    assert result.source == "feed" and result.image == "https://img.example/v.jpg"
    assert len(feed_server.hits("/article")) == 1


@pytest.mark.parametrize(
    "route", [Route(b"gone", status=404), Route(b"%PDF-1.4", content_type="application/pdf"), Route(b"")]
)
def test_an_unreadable_article_falls_back_to_the_feed(
    tmp_path: Path, feed_server: FeedServer, route: Route
) -> None:
    feed_server.routes["/article"] = route
    [result] = digest(config(tmp_path, feed_server), tmp_path, "Verdict", TEASER, feed_server.url("/article"))
    assert result == PreparedSummary(TEASER, "feed")


def test_aggregator_links_are_never_fetched(tmp_path: Path, feed_server: FeedServer) -> None:
    # The autouse loopback guard fails this test if the bot so much as resolves the name.
    [result] = digest(
        config(tmp_path, feed_server),
        tmp_path,
        "Verdict",
        TEASER,
        "https://news.google.com/rss/articles/CBMiabc?oc=5",
    )
    assert result == PreparedSummary(TEASER, "feed")


def llm_yaml(base_url: str, cap: int = 200, timeout: str = "5s") -> str:
    return (
        "summaries:\n  fetch_articles: true\n  provider: openai-compatible\n"
        f"  base_url: {base_url}\n  model: test-model\n  api_key_env: TEST_LLM_KEY\n  language: French\n"
        f"  timeout: {timeout}\n  max_requests_per_day: {cap}\n"
    )


def llm_config(tmp_path: Path, server: FeedServer, yaml_text: str) -> Config:
    path = write_config(tmp_path / "feeds.yaml", {"f": server.url("/f.xml")}, fetch_articles=True)
    text = path.read_text(encoding="utf-8").replace("summaries:\n  fetch_articles: true\n", "")
    path.write_text(yaml_text + text, encoding="utf-8")
    return load_config(path)


def test_the_llm_summarises_the_article_in_the_configured_language(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_LLM_KEY", "sk-test")
    feed_server.routes["/article"] = Route(ARTICLE, content_type="text/html")
    with FakeLLM() as fake:
        cfg = llm_config(tmp_path, feed_server, llm_yaml(fake.base_url))
        [result] = digest(cfg, tmp_path, "Jury sides with OpenAI", TEASER, feed_server.url("/article"))
        [request] = fake.requests
    assert result == PreparedSummary(fake.reply, "llm")
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer sk-test"
    body = request["body"]
    assert body["model"] == "test-model"
    assert "in French" in body["messages"][0]["content"]
    assert LEDE in body["messages"][1]["content"] and "Musk v. OpenAI" in body["messages"][1]["content"]


@pytest.mark.parametrize("failure", ["status", "hang", "garbage"])
def test_any_llm_failure_falls_back_to_the_extractive_summary(
    tmp_path: Path, feed_server: FeedServer, failure: str
) -> None:
    feed_server.routes["/article"] = Route(ARTICLE, content_type="text/html")
    with FakeLLM() as fake:
        fake.status = 500 if failure == "status" else 200
        fake.hanging = failure == "hang"
        fake.reply = "" if failure == "garbage" else fake.reply
        cfg = llm_config(tmp_path, feed_server, llm_yaml(fake.base_url, timeout="0.5s"))
        [result] = digest(cfg, tmp_path, "Jury sides with OpenAI", TEASER, feed_server.url("/article"))
    assert result.source == "article" and result.text.startswith(LEDE)


@pytest.mark.parametrize("hostile", ["bomb", "drip", "nested", "huge"])
def test_a_hostile_llm_endpoint_only_costs_the_llm_summary(
    tmp_path: Path, feed_server: FeedServer, hostile: str
) -> None:
    """A gzip bomb, a server dripping bytes, 100,000 brackets and an 8 MB answer: each used to
    exhaust memory, hang or raise RecursionError; now each falls back within the timeout."""
    feed_server.routes["/article"] = Route(ARTICLE, content_type="text/html")
    with FakeLLM() as fake:
        fake.hostile = hostile
        cfg = llm_config(tmp_path, feed_server, llm_yaml(fake.base_url, timeout="1s"))
        [result] = digest(cfg, tmp_path, "Jury sides with OpenAI", TEASER, feed_server.url("/article"))
    assert result.source == "article" and result.text.startswith(LEDE)


def test_the_daily_cap_stops_llm_calls(tmp_path: Path, feed_server: FeedServer) -> None:
    with FakeLLM() as fake:
        cfg = llm_config(tmp_path, feed_server, llm_yaml(fake.base_url, cap=2))
        results = digest(cfg, tmp_path, "Verdict", LONG_TEXT, "", times=3)
        assert len(fake.requests) == 2
    assert [r.source for r in results] == ["llm", "llm", "feed"]


def test_summarize_command_prints_the_summary_for_one_article(
    tmp_path: Path, feed_server: FeedServer
) -> None:

    feed_server.routes["/article"] = Route(ARTICLE, content_type="text/html")
    config(tmp_path, feed_server)
    result = subprocess.run(
        command(tmp_path, "summarize", feed_server.url("/article"), "--json"),
        capture_output=True,
        text=True,
        timeout=120,
        env=environment(),
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["source"] == "article" and report["summary"].startswith(LEDE)
    assert report["chars"] <= 500
    missing = subprocess.run(
        command(tmp_path, "summarize", feed_server.url("/nothing")),
        capture_output=True,
        text=True,
        timeout=120,
        env=environment(),
    )
    assert missing.returncode == 1 and "could not be read" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_posts_carry_the_article_summary(tmp_path: Path, feed_server: FeedServer) -> None:

    feed_server.routes["/article"] = Route(ARTICLE, content_type="text/html")
    feed_server.routes["/f.xml"] = Route(rss([]))
    cfg = config(tmp_path, feed_server)
    poll(cfg, tmp_path / "bot.db")
    item = Item(
        "Jury sides with OpenAI in Musk lawsuit",
        feed_server.url("/article"),
        NOW - timedelta(hours=1),
        description=TEASER,
    )
    feed_server.routes["/f.xml"] = Route(rss([item]))
    _, printed = poll(cfg, tmp_path / "bot.db")
    assert LEDE in printed and TEASER not in printed


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:99999/article",  # a port out of range: ValueError
        "http://xn--n3h.example/article",  # a host only IDNA 2003 accepts: InvalidURL
        "http://[bad/article",  # not a URL at all
    ],
)
def test_an_unusable_article_link_falls_back_to_the_feed_text(
    tmp_path: Path, feed_server: FeedServer, url: str
) -> None:
    """These escaped every handler and made the startup delivery fail on every restart."""
    [result] = digest(config(tmp_path, feed_server), tmp_path, "Verdict", TEASER, url)
    assert result == PreparedSummary(TEASER, "feed")

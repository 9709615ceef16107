"""End to end through the CLI in a subprocess: loopback feeds in, fake Discord out."""

from __future__ import annotations

import json
import selectors
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.cli import command, environment
from tests.support.fake_discord import WEBHOOK_URL, Failure, FakeDiscord
from tests.support.feeds import Item, rss, write_config
from tests.support.feedserver import FeedServer, Route

NOW = datetime.now(UTC).replace(microsecond=0)
# History far enough apart to be three developments, well past polling.max_age.
DAY1, DAY3, DAY2 = 30 * 24, 20 * 24, 10 * 24


def cli(
    tmp: Path, *args: str, discord_api: FakeDiscord | None = None, config: str = "feeds.yaml"
) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot` with the test config and database; webhook mode if `discord_api`."""
    env = environment()
    if discord_api is not None:
        env = environment(webhook_url=WEBHOOK_URL, api_base=discord_api.api_base)
    return subprocess.run(
        command(tmp, *args, config=config),
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp,
    )


def on_topic(n: int, hours_ago: float, link: str, outlet: str = "Example News") -> Item:
    return Item(
        title=f"Musk v. OpenAI: jury hears day {n} of the trial",
        link=link,
        published=NOW - timedelta(hours=hours_ago),
        description=f"Elon Musk's lawsuit against OpenAI and Sam Altman continued on day {n}. "
        "Lawyers for both sides questioned witnesses.",
        source=outlet,
    )


OFF_TOPIC = Item(
    title="Tesla unveils a new charger",
    link="https://example.org/tesla-charger",
    published=NOW - timedelta(hours=50),
    description="Musk's Tesla showed a charger.",
)


@pytest.fixture
def setup(tmp_path: Path, feed_server: FeedServer) -> tuple[Path, FeedServer]:
    feed_server.routes["/a.xml"] = Route(
        rss(
            [
                on_topic(1, DAY1, "https://news-a.example/day-1"),
                on_topic(2, DAY2, "https://news-a.example/day-2"),
                OFF_TOPIC,
            ]
        )
    )
    feed_server.routes["/b.xml"] = Route(rss([on_topic(3, DAY3, "https://news-b.example/day-3", "B Daily")]))
    write_config(tmp_path / "feeds.yaml", {"a": feed_server.url("/a.xml"), "b": feed_server.url("/b.xml")})
    return tmp_path, feed_server


def assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_poll_posts_each_story_once_and_backfill_posts_history(
    setup: tuple[Path, FeedServer], discord_api: FakeDiscord
) -> None:
    tmp, server = setup
    # First poll of each feed is a baseline: stored, nothing posted.
    assert_clean(cli(tmp, "poll", discord_api=discord_api))
    assert discord_api.messages == []

    # One new on-topic item (under a tracking link) -> exactly one message with the right embed.
    fresh = on_topic(4, 1, "https://www.news-a.example/day-4?utm_source=rss&utm_medium=feed")
    server.routes["/a.xml"] = Route(rss([fresh, *_items_a()]))
    assert_clean(cli(tmp, "poll", discord_api=discord_api))
    embeds = discord_api.embeds()
    assert len(embeds) == 1
    embed = embeds[0]
    assert embed["title"] == fresh.title
    assert embed["url"] == fresh.link
    assert embed["description"].startswith("Elon Musk's lawsuit against OpenAI")
    assert len(embed["description"]) <= 500
    assert embed["author"]["name"] == "Example News"
    assert datetime.fromisoformat(embed["timestamp"]) == fresh.published
    assert discord_api.messages[0].payload["allowed_mentions"] == {"parse": []}

    # The same item again, and the same article under other tracking in another feed: nothing.
    assert_clean(cli(tmp, "poll", discord_api=discord_api))
    copy = Item(
        fresh.title,
        "https://news-a.example/day-4?fbclid=xyz&utm_campaign=a#top",
        fresh.published,
        description=fresh.description,
        source="Aggregator",
    )
    server.routes["/b.xml"] = Route(rss([copy, on_topic(3, DAY3, "https://news-b.example/day-3", "B Daily")]))
    assert_clean(cli(tmp, "poll", discord_api=discord_api))
    assert len(discord_api.messages) == 1

    # Backfill posts the stored history, oldest first; the off-topic item never.
    since = (NOW - timedelta(days=40)).date().isoformat()
    result = cli(tmp, "backfill", "--since", since, discord_api=discord_api)
    assert_clean(result)
    titles = [e["title"] for e in discord_api.embeds()]
    assert titles[1:] == [on_topic(n, 0, "").title for n in (1, 3, 2)]
    stamps = [datetime.fromisoformat(e["timestamp"]) for e in discord_api.embeds()[1:]]
    assert stamps == sorted(stamps)

    # A second backfill has nothing left to post.
    assert_clean(cli(tmp, "backfill", "--since", since, discord_api=discord_api))
    assert len(discord_api.messages) == 4

    status = json.loads(cli(tmp, "status", "--json").stdout)
    assert status["outbox"] == {"sent": 4}
    assert status["counts"]["stories"] == status["counts"]["developments"] == 4
    stories = json.loads(cli(tmp, "stories", "--json").stdout)
    assert [s["state"] for s in stories] == ["sent"] * 4
    assert (stories[0]["coverage"], stories[0]["entries"]) == (1, 2)  # one article, seen in two feeds


def publish(server: FeedServer, n: int) -> str:
    """Add a fresh on-topic item (day `n`, an hour old) to feed a; return its title."""
    item = on_topic(n, 1, f"https://news-a.example/day-{n}")
    server.routes["/a.xml"] = Route(rss([item, *_items_a()]))
    return item.title


def _items_a() -> list[Item]:
    return [
        on_topic(1, DAY1, "https://news-a.example/day-1"),
        on_topic(2, DAY2, "https://news-a.example/day-2"),
        OFF_TOPIC,
    ]


def test_backfill_dry_run_and_range(setup: tuple[Path, FeedServer], discord_api: FakeDiscord) -> None:
    tmp, _ = setup
    assert_clean(cli(tmp, "poll", discord_api=discord_api))
    day2 = (NOW - timedelta(hours=DAY2)).date().isoformat()
    dry = cli(tmp, "backfill", "--since", day2, "--until", day2, "--dry-run", discord_api=discord_api)
    assert_clean(dry)
    assert on_topic(2, 0, "").title in dry.stdout
    assert discord_api.messages == []
    assert_clean(cli(tmp, "backfill", "--since", "2000-01-01", "--feed", "b", discord_api=discord_api))
    assert [e["title"] for e in discord_api.embeds()] == [on_topic(3, 0, "").title]


def test_rate_limited_post_is_retried_not_lost(
    setup: tuple[Path, FeedServer], discord_api: FakeDiscord
) -> None:
    tmp, server = setup
    assert_clean(cli(tmp, "poll", discord_api=discord_api))
    title = publish(server, 5)
    discord_api.fail_next(Failure(429, retry_after=0.05), Failure(429, retry_after=0.05))
    assert_clean(cli(tmp, "poll", discord_api=discord_api))
    assert [e["title"] for e in discord_api.embeds()] == [title]
    posts = [r for r in discord_api.requests if r[0] == "POST"]
    assert len(posts) == 3  # two 429s, then the post


def test_invalid_webhook_keeps_the_story_for_later(
    setup: tuple[Path, FeedServer], discord_api: FakeDiscord
) -> None:
    tmp, server = setup
    assert_clean(cli(tmp, "poll", discord_api=discord_api))
    title = publish(server, 6)
    discord_api.fail_next(Failure(404, code=10015))
    result = cli(tmp, "poll", discord_api=discord_api)
    assert result.returncode == 1
    assert "DISCORD_WEBHOOK_URL" in result.stderr and "Traceback" not in result.stderr
    assert WEBHOOK_URL.rsplit("/", 1)[1] not in result.stderr  # the token never appears
    assert discord_api.messages == []
    # Delivery stays halted: no request reaches Discord until the user acts.
    requests = len(discord_api.requests)
    again = cli(tmp, "poll", discord_api=discord_api)
    assert again.returncode == 1 and "delivery halted since" in again.stderr
    assert len(discord_api.requests) == requests
    status = cli(tmp, "status", discord_api=discord_api)
    assert "DELIVERY HALTED" in status.stdout and "followup-bot retry" in status.stdout
    # `retry` lifts the halt; the kept story goes out, once.
    retried = cli(tmp, "retry", discord_api=discord_api)
    assert_clean(retried)
    assert "delivery halt lifted" in retried.stdout and "1 delivered" in retried.stdout
    assert [e["title"] for e in discord_api.embeds()] == [title]
    assert_clean(cli(tmp, "poll", discord_api=discord_api))
    assert len(discord_api.messages) == 1


def test_console_mode_prints_instead_of_posting(setup: tuple[Path, FeedServer]) -> None:
    tmp, server = setup
    first = cli(tmp, "poll")
    assert_clean(first)
    assert "console mode" in first.stderr
    title = publish(server, 7)
    second = cli(tmp, "poll")
    assert_clean(second)
    assert title in second.stdout
    assert "https://news-a.example/day-7" in second.stdout


def test_broken_feed_is_one_line_and_others_go_on(setup: tuple[Path, FeedServer]) -> None:
    tmp, server = setup
    server.routes["/broken.xml"] = Route(b"<html><body>not a feed", content_type="text/html")
    write_config(
        tmp / "feeds.yaml",
        {"a": server.url("/a.xml"), "missing": server.url("/nope.xml"), "broken": server.url("/broken.xml")},
    )
    result = cli(tmp, "poll")
    assert_clean(result)
    assert "feed 'missing': error: HTTP 404" in result.stderr
    assert "feed 'broken': error: not an RSS/Atom feed" in result.stderr
    status = json.loads(cli(tmp, "status", "--json").stdout)
    failures = {f["name"]: f["failures"] for f in status["feeds"]}
    assert failures == {"a": 0, "broken": 1, "missing": 1}


def test_run_service_posts_and_stops_cleanly_on_sigterm(tmp_path: Path, feed_server: FeedServer) -> None:
    feed_server.routes["/a.xml"] = Route(rss([on_topic(8, 1, "https://news-a.example/day-8")]))
    write_config(tmp_path / "feeds.yaml", {"a": feed_server.url("/a.xml")}, extra="  post_recent: 1d")
    proc = subprocess.Popen(
        command(tmp_path, "run"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(),
    )
    try:
        out, err = _read_until(proc, on_topic(8, 0, "").title, deadline=60)
        assert on_topic(8, 0, "").title in out, err
        assert "console mode" in err
        proc.send_signal(signal.SIGTERM)
        _, rest_err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err + rest_err
    assert "service stopped" in err + rest_err
    assert "Traceback" not in err + rest_err


def _read_until(proc: subprocess.Popen[str], needle: str, deadline: float) -> tuple[str, str]:
    """Read the child's stdout and stderr until `needle` shows on stdout (or the deadline)."""
    assert proc.stdout is not None and proc.stderr is not None
    out: list[str] = []
    err: list[str] = []
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ, out)
    sel.register(proc.stderr, selectors.EVENT_READ, err)
    end = time.monotonic() + deadline
    while needle not in "".join(out) and time.monotonic() < end and proc.poll() is None:
        for key, _ in sel.select(timeout=max(0.0, end - time.monotonic())):
            line = key.fileobj.readline()  # type: ignore[union-attr]
            if line:
                key.data.append(line)
    sel.close()
    return "".join(out), "".join(err)


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("feeds: []\n", "feeds.yaml: topic: is required"),
        ("topic: {name: x, require: {a: [b]}}\nfeeds:\n  - {name: a, url: ftp://x.org/f}\n", "feeds[0].url"),
        (
            "topic: {name: x, require: {a: [b]}}\nfeeds:\n  - {name: a, url: http://x.org/f, colour: red}\n",
            "feeds[0].colour: unknown key",
        ),
        (
            "topic: {name: x, require: {a: [b]}}\nfeeds:\n  - {name: a, url: http://x.org/1}\n"
            "  - {name: a, url: http://x.org/2}\n",
            "feeds[1].name: duplicate feed name",
        ),
        (
            "topic: {name: x, require: {a: [b]}}\npolling: {concurrency: lots}\nfeeds:\n"
            "  - {name: a, url: http://x.org/1}\n",
            "polling.concurrency",
        ),
        (
            "topic: {name: x, require: {a: [b]}}\nfeeds: [{name: a, url: 'http://x.org/1'}]\nextra: 1\n",
            "extra: unknown key",
        ),
    ],
)
def test_config_errors_exit_2_and_name_the_key(tmp_path: Path, yaml_text: str, expected: str) -> None:
    (tmp_path / "feeds.yaml").write_text(yaml_text, encoding="utf-8")
    result = cli(tmp_path, "check")
    assert result.returncode == 2
    assert expected in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_check_accepts_shipped_config_and_rejects_bad_env(tmp_path: Path) -> None:
    shipped = Path(__file__).resolve().parent.parent / "feeds.yaml"
    (tmp_path / "feeds.yaml").write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    ok = cli(tmp_path, "check")
    assert ok.returncode == 0 and "mode console" in ok.stdout
    bad = subprocess.run(
        command(tmp_path, "check"),
        capture_output=True,
        text=True,
        timeout=60,
        env=environment(token="secret-token-value"),
    )
    assert bad.returncode == 2
    assert "DISCORD_CHANNEL_ID" in bad.stderr and "secret-token-value" not in bad.stderr


def test_explain_says_why_for_text_and_for_stored_entries(setup: tuple[Path, FeedServer]) -> None:
    tmp, _ = setup
    result = cli(tmp, "explain", "Musk", "sues", "OpenAI", "--text", "A jury will hear it.")
    assert_clean(result)
    assert result.stdout.startswith("relevant to 'Musk v. OpenAI': score 3 (threshold 2)")
    assert "legal +3: sues (title), jury" in result.stdout
    off = json.loads(cli(tmp, "explain", "--json", "Musk's xAI sues OpenAI over trade secrets").stdout)
    assert off["relevant"] is False and off["matched"]["other_cases"] == ["trade secrets"]
    assert_clean(cli(tmp, "poll"))
    entry = json.loads(cli(tmp, "explain", "--json", "--entry", "1").stdout)
    assert entry["relevant"] is True and entry["matched"]["musk"] == ["musk"]
    missing = cli(tmp, "explain", "--entry", "999")
    assert missing.returncode == 1 and "no entry with id 999" in missing.stderr


def test_reading_commands_work_while_feeds_yaml_is_broken(
    setup: tuple[Path, FeedServer], discord_api: FakeDiscord
) -> None:
    """A bad edit of feeds.yaml while the service runs: status and health still answer from
    the database (a container health check must not call a working service unhealthy)."""
    tmp, _ = setup
    assert_clean(cli(tmp, "poll", discord_api=discord_api))
    (tmp / "feeds.yaml").write_text("topic: [unclosed\n", encoding="utf-8")
    status = cli(tmp, "status")
    assert status.returncode == 0 and "feeds:" in status.stdout, status.stderr
    as_json = cli(tmp, "status", "--json")
    assert as_json.returncode == 0 and json.loads(as_json.stdout)["counts"]["entries"] > 0
    health = cli(tmp, "health")
    assert health.returncode == 1 and health.stdout.startswith("unhealthy: the service has never run")
    stories = cli(tmp, "stories", "--json")
    assert stories.returncode == 0 and isinstance(json.loads(stories.stdout), list)
    explained = cli(tmp, "explain", "--entry", "1")
    assert explained.returncode == 0 and "as decided when it was stored" in explained.stdout
    check = cli(tmp, "check")
    assert check.returncode == 2 and check.stderr.count("\n") == 1 and "invalid YAML" in check.stderr
    missing = cli(tmp, "status", config="absent.yaml")
    assert missing.returncode == 0, missing.stderr

"""A thread per development (`discord.threads`): later coverage is listed in the post's
thread as it arrives, while the post keeps its count; bot mode and a forum's webhook."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.support.cli import bot_poll
from tests.support.fake_discord import FakeDiscord
from tests.support.feeds import Item, press, rss, write_config
from tests.support.feedserver import FeedServer, Route
from tests.test_e2e import NOW, assert_clean, cli

LEDE = "A jury in Oakland decided Elon Musk's lawsuit against OpenAI and Sam Altman."


def story(title: str, n: int, hours_ago: float) -> Item:
    return press(title, n, NOW - timedelta(hours=hours_ago), LEDE)


FIRST = story("Jury finds OpenAI not liable in Elon Musk's lawsuit", 1, 3)
LATER = [
    story("Jury sides with OpenAI against Musk", 2, 2.5),
    story("Jury finds for OpenAI in Musk case", 3, 2),
]


def configure(tmp_path: Path, feed_server: FeedServer) -> None:
    feed_server.routes["/f.xml"] = Route(rss([FIRST]))
    write_config(
        tmp_path / "feeds.yaml",
        {"f": feed_server.url("/f.xml")},
        extra="  post_recent: 1d",
        discord="threads: true",
    )


def test_in_bot_mode_later_coverage_goes_into_a_thread_started_from_the_post(
    tmp_path: Path, feed_server: FeedServer, discord_api: FakeDiscord
) -> None:
    configure(tmp_path, feed_server)
    for shown in ([FIRST], [FIRST, LATER[0]], [FIRST, *LATER]):
        feed_server.routes["/f.xml"] = Route(rss(shown))
        assert_clean(bot_poll(tmp_path, discord_api.api_base))

    post, *threaded = discord_api.messages
    assert post.thread == "" and "thread_name" not in post.payload
    assert discord_api.threads == [post.id]  # started once, at the first later story
    assert [(m.thread, m.payload["embeds"][0]["title"]) for m in threaded] == [
        (post.id, s.title) for s in LATER
    ]
    assert post.edits[-1]["embeds"][0]["footer"]["text"] == "3 outlets"  # the post keeps the count


def test_through_a_forum_webhook_the_post_opens_the_thread_and_coverage_follows_it(
    tmp_path: Path, feed_server: FeedServer, discord_api: FakeDiscord
) -> None:
    configure(tmp_path, feed_server)
    for shown in ([FIRST], [FIRST, *LATER]):
        feed_server.routes["/f.xml"] = Route(rss(shown))
        assert_clean(cli(tmp_path, "poll", discord_api=discord_api))

    post, *threaded = discord_api.messages
    assert post.payload["thread_name"] == FIRST.title and post.thread == post.id
    assert discord_api.threads == [post.id]
    assert [(m.thread, m.payload["embeds"][0]["title"]) for m in threaded] == [
        (post.id, s.title) for s in LATER
    ]
    assert post.edits and post.edits[-1]["embeds"][0]["footer"]["text"] == "3 outlets"

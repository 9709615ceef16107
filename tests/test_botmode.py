"""Bot mode end to end: login, READY over the fake gateway, a post, and slash commands."""

from __future__ import annotations

import signal
import subprocess
from datetime import timedelta
from pathlib import Path

from tests.support.cli import command, environment
from tests.support.fake_discord import CHANNEL_ID, FakeDiscord, slash_command
from tests.support.feeds import Item, rss, write_config
from tests.support.feedserver import FeedServer, Route
from tests.test_e2e import NOW


def run_bot(tmp_path: Path, api: FakeDiscord) -> tuple[dict[str, str], subprocess.Popen[str]]:
    """`run` in bot mode against the fake Discord (REST and gateway); its environment too."""
    env = environment(
        token="bot-token", channel_id=CHANNEL_ID, api_base=api.api_base, gateway_url=api.gateway_url
    )
    run = subprocess.Popen(
        command(tmp_path, "run"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    return env, run


def test_bot_mode_posts_and_answers_slash_commands(tmp_path: Path, feed_server: FeedServer) -> None:
    item = Item(
        "Jury finds OpenAI not liable in Musk lawsuit",
        "https://news.example/verdict",
        NOW - timedelta(hours=1),
        description="Elon Musk's lawsuit against OpenAI ended.",
    )
    feed_server.routes["/f.xml"] = Route(rss([item]))
    write_config(tmp_path / "feeds.yaml", {"f": feed_server.url("/f.xml")}, extra="  post_recent: 1d")
    with FakeDiscord() as api:
        _, proc = run_bot(tmp_path, api)
        try:
            assert api.wait_ready(), "the bot identified on the gateway"
            assert api.identify is not None and api.identify["intents"] == 0  # no privileged intents
            assert api.wait_for("commands", 6)
            commands = {c["name"]: c for c in api.commands}
            assert set(commands) == {"status", "latest", "backfill", "feeds", "explain", "mute"}
            for managing in ("backfill", "mute"):
                assert str(commands[managing]["default_member_permissions"]) == "32"  # Manage Server
            assert api.wait_for("messages", 1)
            [message] = api.messages
            assert message.payload["embeds"][0]["title"] == item.title
            assert message.payload["nonce"] and message.payload["enforce_nonce"] is True

            api.dispatch("INTERACTION_CREATE", slash_command("status"))
            assert api.wait_for("interaction_responses", 1)
            api.dispatch("INTERACTION_CREATE", slash_command("latest", {"n": 3}))
            assert api.wait_for("interaction_responses", 2)
            api.dispatch(
                "INTERACTION_CREATE", slash_command("backfill", {"since": "2024-01-01"}, manage_guild=False)
            )
            assert api.wait_for("interaction_responses", 3)
            api.dispatch("INTERACTION_CREATE", slash_command("backfill", {"since": "2024-01-01"}))
            assert api.wait_for("interaction_responses", 4)
            # Another server that added the bot: even its managers are refused.
            stranger = slash_command("backfill", {"since": "2000-01-01"}, guild="923456789012345678")
            api.dispatch("INTERACTION_CREATE", stranger)
            assert api.wait_for("interaction_responses", 5)
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=60)
        status, latest, refused, backfill, stranger_reply = (
            r["data"]["content"] for r in api.interaction_responses
        )
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    # The post may still be marking itself sent when /status is answered: either state is true.
    assert "**Last post:**" in status and ("1 sent" in status or "1 sending" in status)
    assert "**Developments:** 1 from 1 stories" in status and "1 of 1 healthy" in status
    assert item.title in latest and "https://news.example/verdict" in latest
    assert refused == "Only members with Manage Server can backfill."
    assert backfill.startswith("Posting 0 developments since 2024-01-01")
    assert stranger_reply == "This bot answers only in the server of the channel it posts to."
    assert all(r["data"]["flags"] == 64 for r in api.interaction_responses)  # ephemeral
    assert all(r["data"]["allowed_mentions"] == {"parse": []} for r in api.interaction_responses)


def test_bot_mode_feeds_explain_and_mute_from_the_channel(tmp_path: Path, feed_server: FeedServer) -> None:
    verdict = Item(
        "Jury finds OpenAI not liable in Musk lawsuit",
        "https://news.example/verdict",
        NOW - timedelta(hours=2),
        description="Elon Musk's lawsuit against OpenAI ended.",
        source="First Outlet",
    )
    feed_server.routes["/f.xml"] = Route(rss([verdict]))
    write_config(tmp_path / "feeds.yaml", {"f": feed_server.url("/f.xml")}, extra="  post_recent: 1d")
    with FakeDiscord() as api:
        env, proc = run_bot(tmp_path, api)
        try:
            assert api.wait_ready() and api.wait_for("commands", 6) and api.wait_for("messages", 1)
            asked = [
                slash_command("feeds"),
                slash_command("explain", {"text": "Musk sues OpenAI over its **mission** @everyone"}),
                slash_command("mute", {"development": 1}, manage_guild=False),
                slash_command("mute", {"development": 99}),
                slash_command("mute", {"development": 1}),
            ]
            for n, interaction in enumerate(asked, start=1):
                api.dispatch("INTERACTION_CREATE", interaction)
                assert api.wait_for("interaction_responses", n)
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        feeds, explained, refused, unknown, muted = (r["data"]["content"] for r in api.interaction_responses)
        coverage = Item(
            "Jury sides with OpenAI against Musk",
            "https://other.example/verdict",
            NOW - timedelta(hours=1),
            description="Elon Musk's lawsuit against OpenAI ended.",
            source="Second Outlet",
        )
        feed_server.routes["/f.xml"] = Route(rss([verdict, coverage]))
        again = subprocess.run(
            command(tmp_path, "poll"), env=env, capture_output=True, text=True, timeout=120
        )
        assert again.returncode == 0, again.stderr
        [post] = api.messages
    assert feeds.startswith("- f: ok; last success")
    assert explained.startswith("**Relevant** to Musk v. OpenAI: score 2 (threshold 2)\n- musk: musk\n")
    assert "- legal +2: sues (title)" in explained and "openai\\_side" in explained  # markdown escaped
    assert refused == "Only members with Manage Server can mute."
    assert unknown == "There is no development 99."
    assert muted == "Development 1 is muted: no more edits or pings."
    assert post.edits == []  # the second outlet's coverage did not edit the muted post

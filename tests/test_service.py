"""The long-lived service in a subprocess: policy, feed health notices, SIGHUP, SIGTERM."""

from __future__ import annotations

import itertools
import json
import signal
import subprocess
import time
from datetime import timedelta
from pathlib import Path

from tests.support.cli import command, environment
from tests.support.fake_discord import WEBHOOK_URL, FakeDiscord
from tests.support.feeds import Item, rss, write_config
from tests.support.feedserver import FeedServer, Route
from tests.test_e2e import NOW

FAST = "  min_interval: 1s\n  interval: 1s\n  warn_after: 3\n  max_backoff: 8s"


def notices(api: FakeDiscord, text: str) -> list[str]:
    return [
        e.get("description", "")
        for e in api.embeds()
        if e.get("title") == "followup-bot" and text in e.get("description", "")
    ]


def test_running_service(tmp_path: Path, feed_server: FeedServer) -> None:
    feed_server.routes["/good.xml"] = Route(rss([]))
    feed_server.routes["/bad.xml"] = Route(b"missing", status=404)
    feeds = {"good": feed_server.url("/good.xml"), "bad": feed_server.url("/bad.xml")}
    write_config(tmp_path / "feeds.yaml", feeds, extra=FAST)
    log = (tmp_path / "service.log").open("w")
    with FakeDiscord() as api:
        env = environment(webhook_url=WEBHOOK_URL, api_base=api.api_base)
        proc = subprocess.Popen(command(tmp_path, "run"), env=env, stdout=log, stderr=log, text=True)
        try:
            # A new item is posted within about one interval of appearing.
            feed_server.wait_for_hits("/good.xml", 1)
            item = Item(
                "Musk sues OpenAI again",
                "https://news.example/new",
                NOW - timedelta(hours=1),
                description="Elon Musk filed a new lawsuit against OpenAI.",
            )
            feed_server.routes["/good.xml"] = Route(rss([item]))
            published = time.monotonic()
            assert api.wait_for("messages", 1, timeout=20)
            assert time.monotonic() - published < 5
            assert api.embeds()[0]["title"] == item.title

            # The failing feed backs off: 1 s, then 2 s, then 4 s between polls.
            hits = feed_server.wait_for_hits("/bad.xml", 4, timeout=30)
            gaps = [b.at - a.at for a, b in itertools.pairwise(hits)][:3]
            assert gaps[1] > gaps[0] * 1.5 and gaps[2] > gaps[1] * 1.5, gaps

            # One warning after 3 failures; one recovery note when it works again.
            assert api.wait_for("messages", 2, timeout=20)
            feed_server.routes["/bad.xml"] = Route(rss([]))
            assert api.wait_for("messages", 3, timeout=30)
            assert len(notices(api, "has failed 3 times")) == 1
            assert len(notices(api, "works again")) == 1

            # SIGHUP picks up a feed added to feeds.yaml.
            feed_server.routes["/added.xml"] = Route(rss([]))
            write_config(
                tmp_path / "feeds.yaml", feeds | {"added": feed_server.url("/added.xml")}, extra=FAST
            )
            proc.send_signal(signal.SIGHUP)
            assert feed_server.wait_for_hits("/added.xml", 1, timeout=20)

            # A second service on the same database is refused, and the first stays healthy.
            second = subprocess.run(
                command(tmp_path, "run"), env=env, capture_output=True, text=True, timeout=60
            )
            assert second.returncode == 1 and "Traceback" not in second.stderr
            assert f"another followup-bot service (pid {proc.pid}) is running" in second.stderr

            health = subprocess.run(
                command(tmp_path, "health"), env=env, capture_output=True, text=True, timeout=60
            )
            assert health.returncode == 0 and health.stdout.startswith("ok: last completed poll")
        finally:
            stopping = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
            stopped_in = time.monotonic() - stopping
            log.close()
        assert len(notices(api, "has failed")) == 1  # no second warning in the meantime
    output = (tmp_path / "service.log").read_text(encoding="utf-8")
    assert proc.returncode == 0, output
    assert stopped_in < 10 and "service stopped" in output and "Traceback" not in output
    assert "first poll of 2 feed(s)" in output
    status = json.loads(
        subprocess.run(
            command(tmp_path, "status", "--json"),
            env=environment(),
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
    )
    assert status["outbox"] == {"sent": 3}  # flushed: nothing pending
    assert status["service"]["stopped_at"]
    assert {f["name"] for f in status["feeds"]} == {"good", "bad", "added"}
    after = subprocess.run(
        command(tmp_path, "health"), env=environment(), capture_output=True, text=True, timeout=60
    )
    assert after.returncode == 1 and "stopped" in after.stdout

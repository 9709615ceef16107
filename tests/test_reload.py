"""SIGHUP takes feeds.yaml's discord and web sections too, without a restart: the webhook's
name, the page's address and the base URL of its feeds."""

from __future__ import annotations

import signal
import subprocess
from datetime import timedelta
from pathlib import Path

import feedparser

from tests.support.cli import command, environment
from tests.support.fake_discord import WEBHOOK_URL, FakeDiscord
from tests.support.feeds import press, rss, write_config
from tests.support.feedserver import FeedServer, Route
from tests.test_e2e import NOW
from tests.test_web import _read_until_err, get

LEDE = "Elon Musk's lawsuit against OpenAI and Sam Altman went before a judge in Oakland."
FAST = "  min_interval: 1s\n  interval: 1s\n  max_interval: 2s\n  post_recent: 1d"


def configure(tmp_path: Path, url: str, name: str, web: str) -> None:
    write_config(tmp_path / "feeds.yaml", {"f": url}, extra=FAST, discord=f"username: {name}")
    with (tmp_path / "feeds.yaml").open("a", encoding="utf-8") as config:
        config.write(f"web:\n{web}")


def test_sighup_renames_the_webhook_and_moves_the_page(tmp_path: Path, feed_server: FeedServer) -> None:
    first = press("Musk sues OpenAI again in federal court", 1, NOW - timedelta(hours=2), LEDE)
    later = press("Judge sets trial date in Musk lawsuit against OpenAI", 2, NOW - timedelta(hours=1), LEDE)
    feed_server.routes["/f.xml"] = Route(rss([]))
    configure(tmp_path, feed_server.url("/f.xml"), "Tracker A", '  listen: "127.0.0.1:0"\n')
    with FakeDiscord() as api:
        env = environment(webhook_url=WEBHOOK_URL, api_base=api.api_base)
        proc = subprocess.Popen(
            command(tmp_path, "run"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            _, err = _read_until_err(proc, "serving the timeline on", 60)
            before = err.split("serving the timeline on ")[1].split()[0]
            feed_server.wait_for_hits("/f.xml", 1)  # the baseline
            feed_server.routes["/f.xml"] = Route(rss([first]))
            assert api.wait_for("messages", 1, timeout=30)

            # Another loopback address: the page moves (any free port there, none to race for).
            web = '  listen: "127.0.0.2:0"\n  base_url: https://news.example/musk\n'
            configure(tmp_path, feed_server.url("/f.xml"), "Tracker B", web)
            proc.send_signal(signal.SIGHUP)
            _, err = _read_until_err(proc, "serving the timeline on", 60)
            if "serving the timeline on" not in err:
                proc.terminate()
                raise AssertionError(err + proc.communicate(timeout=30)[1])
            after = err.split("serving the timeline on ")[1].split()[0]
            feed_server.routes["/f.xml"] = Route(rss([first, later]))
            assert api.wait_for("messages", 2, timeout=30)
            atom = feedparser.parse(get(after + "feed.atom")[2])
        finally:
            proc.terminate()
            _, rest = proc.communicate(timeout=60)
    names = [m.payload.get("username") for m in api.messages]
    assert names == ["Tracker A", "Tracker B"], names
    assert after.startswith("http://127.0.0.2:") and before.startswith("http://127.0.0.1:")
    assert atom.entries and all(
        e.id.startswith("https://news.example/musk/developments/") for e in atom.entries
    )
    assert proc.returncode == 0 and "Traceback" not in rest

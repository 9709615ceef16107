"""The fake Discord itself: it checks what it receives against Discord's published schema."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.support.fake_discord import CHANNEL_ID, FakeDiscord


def post(api: FakeDiscord, body: dict[str, object]) -> None:
    request = urllib.request.Request(
        f"{api.api_base}/channels/{CHANNEL_ID}/messages",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()


def test_a_body_discord_would_refuse_is_caught() -> None:
    with FakeDiscord() as api:
        post(api, {"embeds": [{"title": "ok", "url": "https://x.example/a"}], "nonce": "fub-1"})
        assert api.violations == []
        post(api, {"embeds": [{"title": "x", "url": "not a url"}], "nonce": "n" * 30})
        found = list(api.violations)
        api.violations.clear()  # or leaving the block fails this test, as it should the others
    assert any("embeds/0/url" in v and "'uri'" in v for v in found), found
    assert any(v.startswith("POST /channels/{channel_id}/messages nonce:") for v in found), found


def test_leaving_with_a_violation_fails_the_test() -> None:
    with pytest.raises(AssertionError, match="requests Discord's schema refuses"), FakeDiscord() as api:
        post(api, {"embeds": [{"timestamp": "yesterday"}]})

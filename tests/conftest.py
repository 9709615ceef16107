"""Shared fixtures: loopback feed server, fake Discord, and the shared corpora if present."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.fake_discord import FakeDiscord
from tests.support.feedserver import FeedServer

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


@pytest.fixture
def discord_api() -> Iterator[FakeDiscord]:
    with FakeDiscord() as api:
        yield api


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test when the shared folder is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present")
    return path

"""Shared fixtures: loopback feed server, fake Discord, and the data the repository vendors."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.fake_discord import FakeDiscord
from tests.support.feedserver import FeedServer

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"  # vendored from ../shared (`make vendor`): a clone has all tests need
FIXTURES = Path(__file__).resolve().parent / "fixtures"


LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1", "", None}


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any name resolution beyond loopback fails the test instead of leaving the machine."""
    real = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in LOOPBACK_NAMES and not str(name).startswith("127."):
            raise AssertionError(f"a test tried to resolve {name!r}: tests stay on loopback")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    with FeedServer() as server:
        yield server


@pytest.fixture
def discord_api() -> Iterator[FakeDiscord]:
    with FakeDiscord() as api:
        yield api


def data_path(*parts: str) -> Path:
    """A path under the repository's data/ folder, which every clone has."""
    path = DATA.joinpath(*parts)
    assert path.exists(), f"{path.relative_to(ROOT)} is missing: the clone is incomplete (see data/README.md)"
    return path

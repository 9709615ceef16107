"""Reading YAML values into typed settings: durations, sizes, URLs and a mapping reader
that names the key path (`feeds[3].url`) in every error."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from bot.errors import ConfigError

MAX_DURATION = timedelta(days=3650)
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_SIZE = re.compile(r"^\s*(\d+)\s*(B|KiB|MiB|GiB|KB|MB|GB)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {"b": 1, "kib": 1024, "mib": 1024**2, "gib": 1024**3, "kb": 1000, "mb": 1000**2, "gb": 1000**3}


def keys_of(settings: type[Any], *extra: str) -> set[str]:
    """The keys a section accepts: its dataclass's fields (and `extra`)."""
    return {f.name for f in dataclasses.fields(settings)} | set(extra)


def parse_duration(value: object, source: str, key: str) -> timedelta:
    """'90s', '10m', '6h', '7d', '2w' (a bare number is seconds), from 0 to ten years."""
    seconds: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and (m := _DURATION.match(value)):
        seconds = float(m.group(1)) * _UNITS[m.group(2)]
    shown = repr(value)[:60]
    if seconds is None:
        raise ConfigError(source, key, f"expected a duration like '90s', '10m' or '6h', got {shown}")
    # NaN fails every comparison: written so that it fails this test too.
    if not 0 <= seconds <= MAX_DURATION.total_seconds():
        raise ConfigError(source, key, f"expected a duration from 0s to 3650d, got {shown}")
    return timedelta(seconds=seconds)


def parse_size(value: object, source: str, key: str) -> int:
    """A byte count: 1048576, '512KiB', '10MiB'."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and (m := _SIZE.match(value)):
        size = int(m.group(1)) * _SIZE_UNITS[(m.group(2) or "b").lower()]
        if size > 0:
            return size
    raise ConfigError(source, key, f"expected a positive size like '10MiB', got {value!r}")


class Reader:
    """Typed accessors over one YAML mapping that name the key path in every error."""

    def __init__(self, source: str, data: object, path: str, allowed: set[str]) -> None:
        self.source = source
        self.path = path
        if not isinstance(data, Mapping):
            raise ConfigError(source, path or "(top level)", "expected a mapping")
        self.data: Mapping[Any, Any] = data
        for key in data:
            if key not in allowed:
                hint = ", ".join(sorted(allowed))
                raise ConfigError(source, self.key(str(key)), f"unknown key (allowed: {hint})")

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def has(self, name: str) -> bool:
        return self.data.get(name) is not None

    def raw(self, name: str) -> object:
        return self.data.get(name)

    def string(self, name: str, default: str | None = None) -> str:
        value = self.data.get(name)
        if value is None:
            if default is None:
                raise ConfigError(self.source, self.key(name), "is required")
            return default
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(self.source, self.key(name), f"expected a non-empty string, got {value!r}")
        return value.strip()

    def integer(self, name: str, default: int, low: int, high: int) -> int:
        value = self.data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ConfigError(
                self.source,
                self.key(name),
                f"expected a whole number from {low} to {high}, got {value!r}",
            )
        return value

    def number(self, name: str, default: float, low: float, high: float) -> float:
        value = self.data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise ConfigError(
                self.source, self.key(name), f"expected a number from {low:g} to {high:g}, got {value!r}"
            )
        return float(value)

    def boolean(self, name: str, default: bool) -> bool:
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            raise ConfigError(self.source, self.key(name), f"expected true or false, got {value!r}")
        return value

    def duration(self, name: str, default: timedelta) -> timedelta:
        return parse_duration(self.data[name], self.source, self.key(name)) if self.has(name) else default

    def terms(self, name: str, required: bool = False) -> tuple[str, ...]:
        value = self.data.get(name)
        if value is None:
            if required:
                raise ConfigError(self.source, self.key(name), "is required")
            return ()
        if not isinstance(value, list) or (required and not value):
            raise ConfigError(self.source, self.key(name), "expected a non-empty list of terms")
        for i, term in enumerate(value):
            if not isinstance(term, str) or not term.strip():
                raise ConfigError(self.source, f"{self.key(name)}[{i}]", f"expected a term, got {term!r}")
        return tuple(term.strip() for term in value)


def check_http_url(value: str, source: str, key: str) -> str:
    """Only absolute http(s) URLs with a host."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(source, key, f"expected an http(s) URL, got {value!r}")
    return value

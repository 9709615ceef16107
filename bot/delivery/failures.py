"""Discord's failures, mapped once to the bot's errors, and the pure policy of what a
failed send means: halt all delivery, kill this row, or retry it later."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import discord

from bot.delivery.pacing import retry_at
from bot.errors import DeliveryError, WebhookInvalid

MAX_ATTEMPTS = 8  # then the row is 'dead' and waits for `retry`
HALT_PROBE = timedelta(hours=1)  # how long rejected credentials keep delivery halted
SEND_TIMEOUT = 120.0  # discord.py retries 429s and 5xx itself; this bounds all of it
UNKNOWN_MESSAGE = 10008  # Discord's error code for a message that no longer exists


@dataclass(frozen=True)
class FailedSend:
    """What to do after a failed send: `halt` all delivery, or retry at `retry_at` (None:
    the row is dead); `stop` says whether this drain must stop."""

    error: DeliveryError
    halt: bool
    retry_at: datetime | None
    stop: bool


def judge(exc: BaseException, attempts: int, now: datetime, jitter: float) -> FailedSend:
    """The policy for one failed send (`attempts` counts this one)."""
    error = classify(exc)
    if isinstance(error, WebhookInvalid):
        return FailedSend(error, halt=True, retry_at=now, stop=True)
    if _permanent(exc):
        return FailedSend(error, halt=False, retry_at=None, stop=False)
    again = retry_at(attempts, now, jitter) if attempts < MAX_ATTEMPTS else None
    return FailedSend(error, halt=False, retry_at=again, stop=True)


def classify(exc: BaseException) -> DeliveryError:
    """Map discord.py/aiohttp failures to our errors; WebhookInvalid stops all delivery."""
    rejected = (
        isinstance(exc, discord.HTTPException)
        and exc.status in (401, 403, 404)
        and exc.code != UNKNOWN_MESSAGE
    )
    if rejected or isinstance(exc, discord.LoginFailure):
        return WebhookInvalid(
            f"Discord rejected the credentials or channel ({_describe(exc)}): check"
            " DISCORD_WEBHOOK_URL or DISCORD_TOKEN/DISCORD_CHANNEL_ID"
        )
    return DeliveryError(f"Discord delivery failed: {_describe(exc)}")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, discord.HTTPException):
        return (
            f"HTTP {exc.status}"
            + (f" code {exc.code}" if exc.code else "")
            + (f": {exc.text}" if exc.text else "")
        )
    if isinstance(exc, TimeoutError):
        return f"no answer within {SEND_TIMEOUT:g}s"
    return f"{type(exc).__name__}: {exc}".rstrip(": ")


def _permanent(exc: BaseException) -> bool:
    """Failures that retrying cannot fix, for this row only: a payload Discord refuses (400),
    or an edit of a message someone deleted (10008)."""
    if not isinstance(exc, discord.HTTPException):
        return False
    return exc.status == 400 or exc.code == UNKNOWN_MESSAGE

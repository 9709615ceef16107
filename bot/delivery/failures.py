"""The pure policy of what a failed send means: halt all delivery, kill this row, forget a
thread, or retry later. It reads the `DeliveryFailure` a transport raised (Discord's status
and code), never a library's exception."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.delivery.pacing import retry_at
from bot.errors import DeliveryError, DeliveryFailure, ThreadGone, WebhookInvalid

MAX_ATTEMPTS = 8  # then the row is 'dead' and waits for `retry`
HALT_PROBE = timedelta(hours=1)  # how long rejected credentials keep delivery halted
SEND_TIMEOUT = 120.0  # discord.py retries 429s and 5xx itself; this bounds all of it
UNKNOWN_MESSAGE = 10008  # Discord's error code for a message that no longer exists
UNKNOWN_CHANNEL = 10003
UNKNOWN_WEBHOOK = 10015
# A thread that is archived or locked (50083, 160005), or that we may not post in.
THREAD_CLOSED = (50083, 160005)


@dataclass(frozen=True)
class FailedSend:
    """What to do after a failed send: `halt` all delivery, or retry at `retry_at` (None:
    the row is dead); `stop` says whether this drain must stop; `forget_thread` that the
    development's thread is gone and a new one must be opened."""

    error: DeliveryError
    halt: bool
    retry_at: datetime | None
    stop: bool
    forget_thread: bool = False


def judge(
    failure: DeliveryFailure, attempts: int, now: datetime, jitter: float, in_thread: bool = False
) -> FailedSend:
    """The policy for one failed send (`attempts` counts this one); `in_thread` when the
    row was sent into (or opened) a development's thread rather than the channel."""
    error = classify(failure, in_thread)
    again = retry_at(attempts, now, jitter) if attempts < MAX_ATTEMPTS else None
    if isinstance(error, ThreadGone):  # the next attempt opens a new thread; others go on
        return FailedSend(error, halt=False, retry_at=now if again else None, stop=False, forget_thread=True)
    if isinstance(error, WebhookInvalid):
        return FailedSend(error, halt=True, retry_at=now, stop=True)
    if _permanent(failure):
        return FailedSend(error, halt=False, retry_at=None, stop=False)
    return FailedSend(error, halt=False, retry_at=again, stop=True)


def classify(failure: DeliveryFailure, in_thread: bool = False) -> DeliveryError:
    """What a failure is. WebhookInvalid (stops all delivery) is only for the configured
    channel or webhook itself: rejected credentials (401), an unknown webhook or channel, or
    no access to the channel. The same refusals about a thread are ThreadGone."""
    status, code = failure.status, failure.code
    if not status:
        return DeliveryError(f"Discord delivery failed: {failure.problem}")
    if in_thread and (status in (403, 404) or code in THREAD_CLOSED) and code != UNKNOWN_WEBHOOK:
        return ThreadGone(f"the development's thread is gone or closed ({failure.problem})")
    if status in (401, 403) or (status == 404 and code in (0, UNKNOWN_CHANNEL, UNKNOWN_WEBHOOK)):
        return WebhookInvalid(
            f"Discord rejected the credentials or channel ({failure.problem}): check"
            " DISCORD_WEBHOOK_URL or DISCORD_TOKEN/DISCORD_CHANNEL_ID"
        )
    return DeliveryError(f"Discord delivery failed: {failure.problem}")


def _permanent(failure: DeliveryFailure) -> bool:
    """Failures that retrying cannot fix, for this row only: a payload Discord refuses (400),
    an edit of a message someone deleted (10008), or another unknown object (404)."""
    return failure.status in (400, 404) or failure.code == UNKNOWN_MESSAGE

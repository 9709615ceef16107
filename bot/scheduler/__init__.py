"""The long-lived service (`run`): `polls.py` runs one APScheduler job per feed, timed by
the polling policy, and storage.keep; `deliveries.py` drains the outbox whenever a poll
queued something; `service.py` holds them, the page and the gateway under one TaskGroup,
with the signals (SIGTERM/SIGINT stop, SIGHUP re-reads feeds.yaml), the heartbeat and the
lock that keeps a second service off the database.

May import everything below the interfaces: `bot.update`, `bot.app`, `bot.web`, `bot.slash`
and what they stand on; never `bot.cli`.
"""

from __future__ import annotations

from bot.scheduler.service import Service

__all__ = ["Service"]

"""The service's heartbeat (for `status` and `health`) and the LLM's daily request count."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.store.base import StoreBase, mapped
from bot.store.records import ServiceRecord, from_iso, iso, maybe_time


class ServiceMixin(StoreBase):
    @mapped
    def service_started(self, pid: int, now: datetime, interval_seconds: float | None = None) -> None:
        """A service started; `interval_seconds` is its shortest feed interval (for health)."""
        self.db.execute(
            "INSERT OR REPLACE INTO service (id, pid, started_at, last_poll_at, stopped_at, interval_seconds)"
            " VALUES (1, ?, ?, NULL, NULL, ?)",
            [pid, iso(now), interval_seconds],
        )

    @mapped
    def service_polled(self, now: datetime) -> None:
        self.db.execute("UPDATE service SET last_poll_at = ? WHERE id = 1", [iso(now)])

    @mapped
    def service_stopped(self, now: datetime) -> None:
        self.db.execute("UPDATE service SET stopped_at = ? WHERE id = 1", [iso(now)])

    @mapped
    def service(self) -> ServiceRecord | None:
        return read_service(self.db)

    @mapped
    def llm_requests(self, day: str) -> int:
        row = self.db.execute("SELECT requests FROM llm_usage WHERE day = ?", [day]).fetchone()
        return int(row[0]) if row else 0

    @mapped
    def count_llm_request(self, day: str) -> None:
        self.db.execute(
            "INSERT INTO llm_usage (day, requests) VALUES (?, 1)"
            " ON CONFLICT(day) DO UPDATE SET requests = requests + 1",
            [day],
        )


def read_service(db: Database) -> ServiceRecord | None:
    """The service's heartbeat, if a service ever ran (`ServiceMixin.service`; the reports)."""
    row = db.execute(
        "SELECT pid, started_at, last_poll_at, stopped_at, interval_seconds FROM service"
    ).fetchone()
    if row is None:
        return None
    return ServiceRecord(row[0], from_iso(row[1]), maybe_time(row[2]), maybe_time(row[3]), row[4])

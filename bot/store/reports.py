"""Reports read in one go for `status`, `health`, `stories`, the slash commands, the story
so far and digests."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.models import DevelopmentView
from bot.store.outbox import OutboxMixin
from bot.store.records import (
    Counts,
    DeadRow,
    DevelopmentSummary,
    FeedStatus,
    HaltStatus,
    StatusReport,
    from_iso,
    iso,
    maybe_time,
)
from bot.store.service import ServiceMixin


class ReportsMixin(OutboxMixin, ServiceMixin):
    def recent_developments(
        self, limit: int, since: datetime | None = None, until: datetime | None = None
    ) -> list[DevelopmentSummary]:
        """Newest developments (first published from `since` until before `until`) with their
        post state, coverage count and outlets."""
        low = iso(since) if since else ""
        high = iso(until) if until else "9999"
        rows = self.db.execute(
            "SELECT d.id, d.kind, d.first_published, s.title, s.url, s.outlet, o.state, o.message_id,"
            " (SELECT COUNT(*) FROM stories c WHERE c.development_id = d.id),"
            " (SELECT COUNT(*) FROM entries e JOIN stories c ON e.story_id = c.id"
            "  WHERE c.development_id = d.id)"
            " FROM developments d JOIN stories s ON s.id = d.lead_story_id"
            " LEFT JOIN outbox o ON o.development_id = d.id AND o.action = 'post'"
            " WHERE d.first_published >= ? AND d.first_published < ?"
            " ORDER BY d.first_published DESC, d.id DESC LIMIT ?",
            [low, high, limit],
        ).fetchall()
        return [
            DevelopmentSummary(
                id=row[0],
                kind=row[1],
                first_published=from_iso(row[2]),
                title=row[3],
                url=row[4],
                outlet=row[5],
                state=row[6],
                message_id=row[7],
                coverage=row[8],
                entries=row[9],
                outlets=self._outlets(row[0]),
            )
            for row in rows
        ]

    def _outlets(self, development_id: int) -> tuple[str, ...]:
        rows = self.db.execute(
            "SELECT outlet FROM stories WHERE development_id = ? GROUP BY outlet ORDER BY MIN(published)",
            [development_id],
        )
        return tuple(r[0] for r in rows)

    def status(self) -> StatusReport:
        count = self.db.execute(
            "SELECT (SELECT COUNT(*) FROM entries), (SELECT COUNT(*) FROM entries WHERE relevant),"
            " (SELECT COUNT(*) FROM stories), (SELECT COUNT(*) FROM developments)"
        ).fetchone()
        outbox = dict(self.db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
        last_post = self.db.execute("SELECT MAX(sent_at) FROM outbox WHERE state = 'sent'").fetchone()[0]
        halt = self.halted()
        return StatusReport(
            database_bytes=self._size(),
            service=self.service(),
            counts=Counts(*count),
            outbox=outbox,
            last_post_at=maybe_time(last_post),
            halted=HaltStatus(halt.reason, halt.since) if halt else None,
            feeds=self._feeds(),
            dead=tuple(
                DeadRow(*row)
                for row in self.db.execute(
                    "SELECT id, development_id, action, notice, attempts, last_error FROM outbox"
                    " WHERE state = 'dead'"
                )
            ),
        )

    def _feeds(self) -> tuple[FeedStatus, ...]:
        rows = self.db.execute(
            "SELECT f.name, f.url, f.moved_to, f.gone_at, f.last_success_at, f.last_fetch_at,"
            " f.last_status, f.last_error, f.failures, f.baseline_at, f.next_poll_at, f.next_reason,"
            " f.entries_seen, (SELECT COUNT(*) FROM entries e WHERE e.feed = f.name AND e.relevant)"
            " FROM feeds f ORDER BY f.name"
        )
        return tuple(
            FeedStatus(
                name=r[0],
                url=r[1],
                moved_to=r[2],
                gone_at=maybe_time(r[3]),
                last_success_at=maybe_time(r[4]),
                last_fetch_at=maybe_time(r[5]),
                last_status=r[6],
                last_error=r[7],
                failures=r[8],
                baseline_at=maybe_time(r[9]),
                next_poll_at=maybe_time(r[10]),
                next_reason=r[11],
                entries_seen=r[12],
                relevant=r[13],
            )
            for r in rows
        )

    def _size(self) -> int:
        """Bytes on disk, the write-ahead log included."""
        if self.path == ":memory:":
            return 0
        return sum(p.stat().st_size for p in (Path(self.path), Path(self.path + "-wal")) if p.exists())

    def developments_page(self, limit: int, offset: int) -> tuple[list[DevelopmentView], bool]:
        """A page of developments, newest first, each with all its stories; and whether there
        are older ones (the web page's pagination)."""
        ids = [
            int(r[0])
            for r in self.db.execute(
                "SELECT id FROM developments ORDER BY first_published DESC, id DESC LIMIT ? OFFSET ?",
                [limit + 1, offset],
            )
        ]
        return [self.development(i) for i in ids[:limit]], len(ids) > limit

    def coverage_days(self) -> list[tuple[str, int, int]]:
        """Per day (YYYY-MM-DD, oldest first): stories published, developments begun."""
        stories = dict(
            self.db.execute("SELECT substr(published, 1, 10), COUNT(*) FROM stories GROUP BY 1").fetchall()
        )
        begun = dict(
            self.db.execute(
                "SELECT substr(first_published, 1, 10), COUNT(*) FROM developments GROUP BY 1"
            ).fetchall()
        )
        return [(day, stories.get(day, 0), begun.get(day, 0)) for day in sorted(set(stories) | set(begun))]

    def placements(self, development_id: int) -> dict[int, str]:
        """Why each story of a development is in it (story id -> reason)."""
        rows = self.db.execute("SELECT id, placement FROM stories WHERE development_id = ?", [development_id])
        return {int(r[0]): r[1] or "" for r in rows}

    def syndicated(self, limit: int) -> list[tuple[DevelopmentView, datetime]]:
        """The developments that last gained coverage, with when they did (newest first)."""
        rows = self.db.execute(
            "SELECT development_id, max(created_at) AS grown FROM stories WHERE development_id IS NOT NULL"
            " GROUP BY development_id ORDER BY grown DESC LIMIT ?",
            [limit],
        ).fetchall()
        return [(self.development(int(r[0])), from_iso(r[1])) for r in rows]

"""Reports read in one go for `status`, `health`, `stories`, the slash commands, the story
so far and digests."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.models import DevelopmentView, Story
from bot.store.base import StoreBase, mapped, story_from_row
from bot.store.developments import bounded_views
from bot.store.links import read_link_counts
from bot.store.outbox import read_halt
from bot.store.records import (
    Counts,
    DeadRow,
    DevelopmentSummary,
    FeedStatus,
    HaltStatus,
    Spread,
    StatusReport,
    from_iso,
    iso,
    maybe_time,
)
from bot.store.service import read_service


class ReportsMixin(StoreBase):
    @mapped
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

    @mapped
    def status(self) -> StatusReport:
        count = self.db.execute(
            "SELECT (SELECT COUNT(*) FROM entries), (SELECT COUNT(*) FROM entries WHERE relevant),"
            " (SELECT COUNT(*) FROM stories), (SELECT COUNT(*) FROM developments)"
        ).fetchone()
        outbox = dict(self.db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
        last_post = self.db.execute("SELECT MAX(sent_at) FROM outbox WHERE state = 'sent'").fetchone()[0]
        halt = read_halt(self.db)
        return StatusReport(
            database_bytes=self._size(),
            service=read_service(self.db),
            counts=Counts(*count),
            outbox=outbox,
            last_post_at=maybe_time(last_post),
            halted=HaltStatus(halt.reason, halt.since) if halt else None,
            feeds=self._feeds(),
            google_links=read_link_counts(self.db),
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

    @mapped
    def developments_page(self, limit: int, offset: int, members: int) -> tuple[list[DevelopmentView], bool]:
        """A page of developments, newest first, each with its lead and latest `members`
        stories (a verdict day has thousands); and whether there are older ones."""
        ids = [
            int(r[0])
            for r in self.db.execute(
                "SELECT id FROM developments ORDER BY first_published DESC, id DESC LIMIT ? OFFSET ?",
                [limit + 1, offset],
            )
        ]
        return self._views(ids[:limit], members), len(ids) > limit

    def _views(self, ids: list[int], members: int) -> list[DevelopmentView]:
        """Bounded views of developments, in the order of `ids`."""
        views = {v.id: v for v in bounded_views(self.db, ids, members)} if ids else {}
        return [views[i] for i in ids if i in views]

    @mapped
    def development_view(self, development_id: int, members: int) -> DevelopmentView | None:
        """A development with its lead and latest `members` stories; None if there is none."""
        return next(iter(self._views([development_id], members)), None)

    @mapped
    def spread(self, ids: list[int], skip_prefix: str) -> dict[int, Spread]:
        """Each development's story count, and the outlets and languages of its stories whose
        canonical URL does not start with `skip_prefix` (docket entries), in one query."""
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            "SELECT development_id, outlet, language, substr(canonical_url, 1, ?) = ?, COUNT(*) FROM stories"
            f" WHERE development_id IN ({marks}) GROUP BY 1, 2, 3, 4",
            [len(skip_prefix), skip_prefix, *ids],
        ).fetchall()
        counts: dict[int, int] = {}
        outlets: dict[int, set[str]] = {}
        languages: dict[int, set[str]] = {}
        for development, outlet, language, skipped, n in rows:
            counts[development] = counts.get(development, 0) + n
            if not skipped:
                outlets.setdefault(development, set()).add(outlet or "")
                languages.setdefault(development, set()).add(language or "")
        return {
            i: Spread(
                counts.get(i, 0),
                tuple(sorted(outlets.get(i, set()) - {""})),
                tuple(sorted(languages.get(i, set()) - {""})),
            )
            for i in ids
        }

    @mapped
    def stories_page(self, development_id: int, limit: int, offset: int) -> list[tuple[Story, str]]:
        """A page of a development's stories in order of publication, each with why it was
        placed there."""
        rows = self.db.query(
            "SELECT * FROM stories WHERE development_id = ? ORDER BY published, id LIMIT ? OFFSET ?",
            [development_id, limit, offset],
        )
        return [(story_from_row(r), r["placement"] or "") for r in rows]

    @mapped
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

    @mapped
    def syndicated(self, limit: int, members: int) -> list[tuple[DevelopmentView, datetime]]:
        """The developments that last gained coverage (each with its lead and latest `members`
        stories), with when they did, newest first."""
        rows = self.db.execute(
            "SELECT development_id, max(created_at) AS grown FROM stories WHERE development_id IS NOT NULL"
            " GROUP BY development_id ORDER BY grown DESC LIMIT ?",
            [limit],
        ).fetchall()
        views = {v.id: v for v in self._views([int(r[0]) for r in rows], members)}
        return [(views[int(r[0])], from_iso(r[1])) for r in rows if int(r[0]) in views]

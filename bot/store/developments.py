"""Developments: stories grouped as one event, with their lead; the clustering candidates
around a time, and the developments never posted (for backfill)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.models import DevelopmentView, Story
from bot.store.base import StoreBase, story_from_row
from bot.store.records import OutboxState, PostState, from_iso, iso


class DevelopmentsMixin(StoreBase):
    def create_development(
        self, lead: int, kind: str, first_published: datetime, now: datetime, why: str = ""
    ) -> int:
        development = self._insert(
            "developments",
            {
                "kind": kind,
                "first_published": iso(first_published),
                "lead_story_id": lead,
                "created_at": iso(now),
            },
        )
        self.join_development(lead, development, why)
        return development

    def join_development(self, story_id: int, development_id: int, why: str = "") -> None:
        """Put a story in a development; `why` is clustering's reason, kept for `explain`."""
        self.db.execute(
            "UPDATE stories SET development_id = ?, placement = ? WHERE id = ?",
            [development_id, why, story_id],
        )

    def placement(self, entry_id: int) -> tuple[int, str] | None:
        """The development an entry's story is in, and why it was placed there."""
        row = self.db.execute(
            "SELECT s.development_id, s.placement FROM entries e JOIN stories s ON s.id = e.story_id"
            " WHERE e.id = ? AND s.development_id IS NOT NULL",
            [entry_id],
        ).fetchone()
        return (int(row[0]), row[1] or "") if row else None

    def developments_between(self, start: datetime, end: datetime) -> list[DevelopmentView]:
        """Developments whose first story was published in [start, end]: clustering candidates,
        read in one query (this runs for every relevant entry of every poll)."""
        rows = self.db.query(
            "SELECT d.id AS dev_id, d.kind AS dev_kind, d.first_published AS dev_first,"
            " d.lead_story_id AS dev_lead, s.* FROM developments d JOIN stories s ON s.development_id = d.id"
            " WHERE d.first_published BETWEEN ? AND ? ORDER BY d.first_published, d.id, s.published, s.id",
            [iso(start), iso(end)],
        )
        grouped: dict[int, tuple[dict[str, Any], list[Story]]] = {}
        for row in rows:
            grouped.setdefault(row["dev_id"], (row, []))[1].append(story_from_row(row))
        return [
            _view(head["dev_id"], head["dev_kind"], head["dev_first"], head["dev_lead"], stories)
            for head, stories in grouped.values()
        ]

    def development(self, development_id: int) -> DevelopmentView:
        """A development with its lead story first and the others in order of publication."""
        [dev] = self.db.query("SELECT * FROM developments WHERE id = ?", [development_id])
        stories = [
            story_from_row(r)
            for r in self.db.query(
                "SELECT * FROM stories WHERE development_id = ? ORDER BY published, id", [development_id]
            )
        ]
        return _view(development_id, dev["kind"], dev["first_published"], dev["lead_story_id"], stories)

    def post_message(self, development_id: int) -> PostState | None:
        """Where a development's post stands, if it was queued."""
        row = self.db.execute(
            "SELECT state, message_id FROM outbox WHERE development_id = ? AND action = 'post'",
            [development_id],
        ).fetchone()
        return PostState(OutboxState(row[0]), row[1]) if row else None

    def unposted_developments(
        self, since: datetime, until: datetime | None, feed: str | None
    ) -> list[DevelopmentView]:
        """Developments first published in [since, until) that were never queued, oldest first."""
        sql = (
            "SELECT d.id FROM developments d WHERE d.first_published >= ?"
            " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.development_id = d.id AND o.action = 'post')"
        )
        params: list[Any] = [iso(since)]
        if until is not None:
            sql += " AND d.first_published < ?"
            params.append(iso(until))
        if feed is not None:
            sql += (
                " AND EXISTS (SELECT 1 FROM stories s JOIN entries e ON e.story_id = s.id"
                " WHERE s.development_id = d.id AND e.feed = ?)"
            )
            params.append(feed)
        rows = self.db.execute(sql + " ORDER BY d.first_published, d.id", params).fetchall()
        return [self.development(r[0]) for r in rows]


def _view(development_id: int, kind: str, first: str, lead_id: int, stories: list[Story]) -> DevelopmentView:
    lead = next(s for s in stories if s.id == lead_id)
    return DevelopmentView(
        id=development_id,
        kind=kind,
        first_published=from_iso(first),
        lead=lead,
        coverage=tuple(s for s in stories if s.id != lead.id),
    )

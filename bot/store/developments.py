"""Developments: stories grouped as one event, with their lead; the clustering candidates
around a time, and the developments never posted (for backfill)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.errors import DevelopmentNotFound
from bot.models import DevelopmentView, Story
from bot.store.base import StoreBase, mapped, story_from_row
from bot.store.records import Candidate, Near, OutboxState, PostState, from_iso, iso


class DevelopmentsMixin(StoreBase):
    @mapped
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

    @mapped
    def join_development(self, story_id: int, development_id: int, why: str = "") -> None:
        """Put a story in a development; `why` is clustering's reason, kept for `explain`."""
        self.db.execute(
            "UPDATE stories SET development_id = ?, placement = ? WHERE id = ?",
            [development_id, why, story_id],
        )

    @mapped
    def set_development_kind(self, development_id: int, kind: str) -> None:
        """A development's kind, once a story tells what happened (its first told nothing)."""
        self.db.execute("UPDATE developments SET kind = ? WHERE id = ?", [kind, development_id])

    @mapped
    def placement(self, entry_id: int) -> tuple[int | None, str] | None:
        """The development an entry's story is in (None: a roundup kept in none), and why."""
        row = self.db.execute(
            "SELECT s.development_id, s.placement FROM entries e JOIN stories s ON s.id = e.story_id"
            " WHERE e.id = ? AND (s.development_id IS NOT NULL OR s.placement IS NOT NULL)",
            [entry_id],
        ).fetchone()
        if row is None:
            return None
        return (None if row[0] is None else int(row[0])), row[1] or ""

    @mapped
    def name_story(self, story_id: int, published: datetime, names: Iterable[str]) -> None:
        """Index the names a story's lede carries, so that `candidates` finds by name."""
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO story_names (name, published, story_id) VALUES (?, ?, ?)",
            [(name, iso(published), story_id) for name in names],
        )

    @mapped
    def candidates(self, near: Near) -> list[Candidate]:
        """The developments a story published at `near.at` could join, found through indexes
        so that the cost does not grow with how many are open: the `near.nearest` closest in
        time on either side, as many of each kind it may join, and those whose stories name
        one of its people, all between `near.start` and `near.end`. Runs for every relevant
        entry of every poll; `candidate_views` reads the ones not known yet."""
        start, at, end = iso(near.start), iso(near.at), iso(near.end)
        closest = (
            "SELECT id FROM (SELECT id FROM developments WHERE {where} first_published BETWEEN ? AND ?"
            " ORDER BY first_published {order} LIMIT ?)"
        )
        parts, params = [], []
        for kinds in ((), *((kind,) for kind in near.kinds)):
            where = "kind = ? AND" if kinds else ""
            for order, bounds in (("DESC", (start, at)), ("ASC", (at, end))):
                parts.append(closest.format(where=where, order=order))
                params += [*kinds, *bounds, near.nearest]
        for name in near.names:
            parts.append(
                "SELECT development_id FROM (SELECT s.development_id FROM story_names n"
                " JOIN stories s ON s.id = n.story_id WHERE n.name = ? AND n.published BETWEEN ? AND ?"
                " AND s.development_id IS NOT NULL ORDER BY n.published DESC LIMIT ?)"
            )
            params += [name, start, end, near.nearest]
        rows = self.db.execute(
            f"WITH candidate(id) AS ({' UNION '.join(parts)}) SELECT id, (SELECT max(s.id) FROM stories s"
            " WHERE s.development_id = candidate.id) FROM candidate",
            params,
        )
        return [Candidate(row[0], row[1]) for row in rows if row[1] is not None]

    @mapped
    def candidate_views(self, ids: Sequence[int], members: int) -> list[DevelopmentView]:
        """Developments as clustering reads them: of one with hundreds of stories (a verdict
        day), the lead and the latest `members`, enough for its names and its wire copies at
        a bounded cost (the window runs over the covering index, not over the stories' text)."""
        return bounded_views(self.db, ids, members)

    @mapped
    def development(self, development_id: int) -> DevelopmentView:
        """A development with its lead story first and the others in order of publication."""
        return whole_view(self.db, development_id)

    @mapped
    def coverage_times(
        self, development_id: int, start: datetime, end: datetime
    ) -> list[tuple[datetime, str, str]]:
        """When each of a development's stories published from `start` to `end` came out, its
        outlet and its link: what a surge is counted on."""
        rows = self.db.execute(
            "SELECT published, outlet, url FROM stories"
            " WHERE development_id = ? AND published BETWEEN ? AND ?",
            [development_id, iso(start), iso(end)],
        ).fetchall()
        return [(from_iso(r[0]), r[1], r[2]) for r in rows]

    @mapped
    def mute(self, development_id: int, muted: bool = True) -> bool:
        """Stop (or allow again) edits and pings for one development; False if there is none."""
        cursor = self.db.execute(
            "UPDATE developments SET muted = ? WHERE id = ?", [int(muted), development_id]
        )
        return cursor.rowcount == 1

    @mapped
    def muted(self, development_id: int) -> bool:
        row = self.db.execute("SELECT muted FROM developments WHERE id = ?", [development_id]).fetchone()
        return bool(row and row[0])

    @mapped
    def post_message(self, development_id: int) -> PostState | None:
        """Where a development's post stands, if it was queued."""
        row = self.db.execute(
            "SELECT state, message_id, pinged, thread_id FROM outbox"
            " WHERE development_id = ? AND action = 'post'",
            [development_id],
        ).fetchone()
        return PostState(OutboxState(row[0]), row[1], bool(row[2]), row[3]) if row else None

    @mapped
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


def bounded_views(db: Database, ids: Sequence[int], members: int) -> list[DevelopmentView]:
    """Developments with their lead and latest `members` stories (see `candidate_views`)."""
    marks = ",".join("?" * len(ids))
    rows = db.query(
        "WITH picked(id) AS (SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY development_id"
        " ORDER BY published DESC, id DESC) AS recency FROM stories"
        f" WHERE development_id IN ({marks})) WHERE recency <= ?"
        f" UNION SELECT lead_story_id FROM developments WHERE id IN ({marks}))"
        " SELECT d.id AS dev_id, d.kind AS dev_kind, d.first_published AS dev_first,"
        " d.lead_story_id AS dev_lead, s.* FROM stories s JOIN developments d ON d.id = s.development_id"
        " WHERE s.id IN picked ORDER BY d.first_published, d.id, s.published, s.id",
        [*ids, members, *ids],
    )
    grouped: dict[int, tuple[dict[str, Any], list[Story]]] = {}
    for row in rows:
        grouped.setdefault(row["dev_id"], (row, []))[1].append(story_from_row(row))
    return [
        _view(head["dev_id"], head["dev_kind"], head["dev_first"], head["dev_lead"], stories)
        for head, stories in grouped.values()
    ]


def whole_view(db: Database, development_id: int) -> DevelopmentView:
    """A development with all its stories; DevelopmentNotFound when there is none."""
    found = list(db.query("SELECT * FROM developments WHERE id = ?", [development_id]))
    if not found:
        raise DevelopmentNotFound(f"there is no development {development_id}")
    dev = found[0]
    stories = [
        story_from_row(r)
        for r in db.query(
            "SELECT * FROM stories WHERE development_id = ? ORDER BY published, id", [development_id]
        )
    ]
    view = _view(development_id, dev["kind"], dev["first_published"], dev["lead_story_id"], stories)
    return replace(view, muted=bool(dev["muted"]))

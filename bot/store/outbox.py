"""The outbox: every post, edit and notice is a row here before anything is sent, and the
halt that stops all delivery while Discord rejects our credentials."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.store.base import StoreBase, mapped
from bot.store.developments import whole_view
from bot.store.records import Halt, OutboxAction, OutboxRow, OutboxState, from_iso, iso


class OutboxMixin(StoreBase):
    @mapped
    def enqueue_post(
        self, development_id: int, now: datetime, not_before: datetime | None = None, may_ping: bool = False
    ) -> bool:
        """Queue a development's post, to go at `not_before` at the earliest; False when it
        was already queued or sent (never twice). `may_ping`: news, not history."""
        return self._enqueue(development_id, "post", now, not_before, may_ping)

    @mapped
    def enqueue_coverage(self, development_id: int, story_id: int, now: datetime) -> bool:
        """Queue a later story of a development for its post's thread (`discord.threads`)."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO outbox (development_id, story_id, action, state, created_at, updated_at)"
            " VALUES (?, ?, 'coverage', 'pending', ?, ?)",
            [development_id, story_id, iso(now), iso(now)],
        )
        return cursor.rowcount == 1

    @mapped
    def set_thread(self, development_id: int, thread_id: str) -> None:
        """The thread of a development's post exists, with this id."""
        self.db.execute(
            "UPDATE outbox SET thread_id = ? WHERE development_id = ? AND action = 'post'",
            [thread_id, development_id],
        )

    @mapped
    def enqueue_ping(self, development_id: int, now: datetime) -> bool:
        """Queue the one ping for a development's coverage surge; False when it has had one."""
        return self._enqueue(development_id, "ping", now)

    @mapped
    def enqueue_edit(self, development_id: int, now: datetime) -> bool:
        """Queue an edit of the development's message; False when one is already waiting."""
        return self._enqueue(development_id, "edit", now)

    @mapped
    def enqueue_timeline(self, now: datetime) -> bool:
        """Queue a refresh of the story so far; False when one is already waiting (it renders
        the developments as they are when it is sent)."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO outbox (action, state, created_at, updated_at)"
            " VALUES ('timeline', 'pending', ?, ?)",
            [iso(now), iso(now)],
        )
        return cursor.rowcount == 1

    @mapped
    def enqueue_digest(self, end: datetime, now: datetime) -> bool:
        """Queue the digest of the period ending at `end`; False when it was queued before
        (each period's digest goes out once, across restarts)."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO outbox (action, notice, state, created_at, updated_at)"
            " VALUES ('digest', ?, 'pending', ?, ?)",
            [iso(end), iso(now), iso(now)],
        )
        return cursor.rowcount == 1

    @mapped
    def last_digest_end(self) -> datetime | None:
        """The end of the latest period whose digest was queued."""
        row = self.db.execute("SELECT max(notice) FROM outbox WHERE action = 'digest'").fetchone()
        return from_iso(row[0]) if row and row[0] else None

    @mapped
    def timeline_messages(self) -> dict[int, str]:
        """The story so far's messages, by part (0 holds the newest developments)."""
        return {int(r[0]): r[1] for r in self.db.execute("SELECT part, message_id FROM timeline_parts")}

    @mapped
    def set_timeline_message(self, part: int, message_id: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO timeline_parts (part, message_id) VALUES (?, ?)", [part, message_id]
        )

    def _enqueue(
        self,
        development_id: int,
        action: str,
        now: datetime,
        not_before: datetime | None = None,
        may_ping: bool = False,
    ) -> bool:
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO outbox (development_id, action, state, created_at, updated_at,"
            " next_attempt_at, may_ping) VALUES (?, ?, 'pending', ?, ?, ?, ?)",
            [
                development_id,
                action,
                iso(now),
                iso(now),
                iso(not_before) if not_before else None,
                int(may_ping),
            ],
        )
        return cursor.rowcount == 1

    @mapped
    def pending(self, now: datetime | None = None) -> list[OutboxRow]:
        """Rows still to deliver (a 'sending' row was interrupted) whose retry time has come
        by `now` (all of them without it): notices first, then oldest development first, a
        post before its edits and its ping."""
        rows = self.db.execute(
            "SELECT o.id, o.action, o.attempts, o.development_id, p.message_id, o.notice, o.may_ping,"
            " o.story_id"
            " FROM outbox o"
            " LEFT JOIN developments d ON d.id = o.development_id"
            " LEFT JOIN outbox p ON p.development_id = o.development_id AND p.action = 'post'"
            " WHERE o.state IN ('pending', 'sending')"
            " AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?)"
            " ORDER BY o.action != 'notice', o.action IN ('timeline', 'digest'), d.first_published, d.id,"
            " o.action != 'post', o.id",
            [iso(now) if now else "9999"],
        ).fetchall()
        return [
            OutboxRow(
                r[0],
                OutboxAction(r[1]),
                r[2],
                whole_view(self.db, r[3]) if r[3] else None,
                r[4],
                r[5] or "",
                bool(r[6]),
                r[7] or 0,
            )
            for r in rows
        ]

    @mapped
    def enqueue_notice(self, text: str, now: datetime) -> None:
        """Queue a message about the bot itself (a feed failing, then working again)."""
        self.db.execute(
            "INSERT INTO outbox (action, notice, state, created_at, updated_at)"
            " VALUES ('notice', ?, 'pending', ?, ?)",
            [text, iso(now), iso(now)],
        )

    @mapped
    def waiting(self) -> int:
        """How many rows are queued, whatever their retry time."""
        query = "SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')"
        return int(self.db.execute(query).fetchone()[0])

    @mapped
    def claim(self, outbox_id: int, now: datetime) -> bool:
        """Mark a row 'sending' if it is still waiting; False when it is not (another process
        sent it, or `retry`/a kill changed it): then it must not be sent."""
        cursor = self.db.execute(
            "UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?"
            " WHERE id = ? AND state IN ('pending', 'sending')",
            [iso(now), outbox_id],
        )
        return cursor.rowcount == 1

    @mapped
    def mark_sent(self, outbox_id: int, message_id: str | None, now: datetime, pinged: bool = False) -> None:
        self.db.execute(
            "UPDATE outbox SET state = 'sent', message_id = ?, sent_at = ?, updated_at = ?,"
            " last_error = NULL, pinged = ? WHERE id = ?",
            [message_id, iso(now), iso(now), int(pinged), outbox_id],
        )

    @mapped
    def mark_failed(self, outbox_id: int, error: str, retry_at: datetime | None, now: datetime) -> None:
        """Record a failed attempt: retried from `retry_at`, or dead when that is None."""
        self.db.execute(
            "UPDATE outbox SET state = ?, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?",
            [
                OutboxState.DEAD if retry_at is None else OutboxState.PENDING,
                error,
                iso(retry_at) if retry_at else None,
                iso(now),
                outbox_id,
            ],
        )

    @mapped
    def retry_dead(self, now: datetime) -> int:
        """Re-queue every dead row with a fresh attempt count; returns how many."""
        cursor = self.db.execute(
            "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = NULL, updated_at = ?"
            " WHERE state = 'dead'",
            [iso(now)],
        )
        return cursor.rowcount

    @mapped
    def halt(self, reason: str, fingerprint: str, now: datetime) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO delivery_halt (id, reason, fingerprint, halted_at) VALUES (1, ?, ?, ?)",
            [reason, fingerprint, iso(now)],
        )

    @mapped
    def halted(self) -> Halt | None:
        """Why, for which credentials and since when delivery is halted, if it is."""
        return read_halt(self.db)

    @mapped
    def resume(self) -> None:
        self.db.execute("DELETE FROM delivery_halt")

    @mapped
    def mark_skipped(self, outbox_id: int, why: str, now: datetime) -> None:
        """An edit with nothing to edit (its post never went out): done, not failed."""
        self.db.execute(
            "UPDATE outbox SET state = 'skipped', last_error = ?, updated_at = ? WHERE id = ?",
            [why, iso(now), outbox_id],
        )


def read_halt(db: Database) -> Halt | None:
    """The delivery halt, if there is one (`OutboxMixin.halted`; also read by the reports)."""
    row = db.execute("SELECT reason, fingerprint, halted_at FROM delivery_halt").fetchone()
    return Halt(row[0], row[1], from_iso(row[2])) if row else None

"""SQLite storage through sqlite-utils: schema as versioned migrations, WAL, and the few
queries the pipeline needs. Nothing is ever deleted; every entry and decision is kept.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database, Migrations
from sqlite_utils.db import Table

from bot.dedup import Known
from bot.errors import BotError
from bot.models import DevelopmentView, Entry, FeedCache, Story, Verdict

migrations = Migrations("followup-bot")


@migrations()
def m001_initial(db: Database) -> None:
    """Feeds (caching and health), entries, stories (one per canonical URL), developments
    (stories about one event), and the outbox of posts and edits."""
    db.execute("""
        CREATE TABLE feeds (
            name TEXT PRIMARY KEY,
            url TEXT NOT NULL,
            etag TEXT,
            last_modified TEXT,
            baseline_at TEXT,
            last_fetch_at TEXT,
            last_success_at TEXT,
            last_status INTEGER,
            last_error TEXT,
            failures INTEGER NOT NULL DEFAULT 0,
            title TEXT,
            moved_to TEXT,
            gone_at TEXT,
            warned INTEGER NOT NULL DEFAULT 0,
            next_poll_at TEXT,
            next_reason TEXT,
            entries_seen INTEGER NOT NULL DEFAULT 0,
            body_hash TEXT,
            recent TEXT NOT NULL DEFAULT '[]'
        )""")
    # The running service's heartbeat, for `status` and `health`.
    db.execute("""
        CREATE TABLE service (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            pid INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            last_poll_at TEXT,
            stopped_at TEXT
        )""")
    db.execute("""
        CREATE TABLE developments (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            first_published TEXT NOT NULL,
            lead_story_id INTEGER NOT NULL,
            created_at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX developments_first_published ON developments(first_published)")
    db.execute("""
        CREATE TABLE stories (
            id INTEGER PRIMARY KEY,
            canonical_url TEXT NOT NULL UNIQUE,
            url TEXT NOT NULL,
            title TEXT NOT NULL,
            summary TEXT NOT NULL,
            outlet TEXT NOT NULL,
            published TEXT NOT NULL,
            feed TEXT NOT NULL,
            language TEXT NOT NULL,
            kind TEXT NOT NULL,
            content TEXT NOT NULL DEFAULT '',
            digest TEXT,
            digest_source TEXT,
            development_id INTEGER REFERENCES developments(id),
            created_at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX stories_development ON stories(development_id)")
    db.execute("""
        CREATE TABLE entries (
            id INTEGER PRIMARY KEY,
            feed TEXT NOT NULL REFERENCES feeds(name),
            guid TEXT NOT NULL,
            url TEXT NOT NULL,
            canonical_url TEXT NOT NULL,
            title TEXT NOT NULL,
            summary TEXT NOT NULL,
            content TEXT NOT NULL,
            published TEXT NOT NULL,
            has_date INTEGER NOT NULL,
            author TEXT NOT NULL,
            outlet TEXT NOT NULL,
            language TEXT NOT NULL,
            first_seen_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            relevant INTEGER NOT NULL,
            score REAL NOT NULL,
            reasons TEXT NOT NULL,
            decision TEXT NOT NULL,
            story_id INTEGER REFERENCES stories(id),
            UNIQUE (feed, guid)
        )""")
    db.execute("CREATE INDEX entries_canonical ON entries(canonical_url)")
    db.execute("CREATE INDEX entries_story ON entries(story_id)")
    # One post per development, ever; at most one edit waiting per development (it renders
    # the coverage as it is when sent, so one is enough however much arrives meanwhile; an
    # edit already being sent does not count, since it may have rendered too early).
    db.execute("""
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            development_id INTEGER REFERENCES developments(id),
            action TEXT NOT NULL CHECK (action IN ('post', 'edit', 'notice')),
            notice TEXT,
            state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'dead', 'skipped')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            message_id TEXT,
            next_attempt_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            sent_at TEXT
        )""")
    db.execute("CREATE UNIQUE INDEX outbox_one_post ON outbox(development_id) WHERE action = 'post'")
    db.execute(
        "CREATE UNIQUE INDEX outbox_one_waiting_edit ON outbox(development_id)"
        " WHERE action = 'edit' AND state = 'pending'"
    )
    db.execute("CREATE INDEX outbox_state ON outbox(state)")
    db.execute("CREATE TABLE llm_usage (day TEXT PRIMARY KEY, requests INTEGER NOT NULL)")
    # Set when Discord rejects our credentials: delivery stops until they change, `retry`
    # clears it, or an hourly probe succeeds (Discord bans IPs that keep sending bad requests).
    db.execute("""
        CREATE TABLE delivery_halt (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            reason TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            halted_at TEXT NOT NULL
        )""")


@migrations()
def m002_retention(db: Database) -> None:
    """Forgetting old irrelevant entries looks them up by when they were first seen."""
    db.execute("CREATE INDEX entries_forgettable ON entries(first_seen_at) WHERE relevant = 0")


@dataclass(frozen=True)
class FeedState:
    """A feed as a poll starts: where to fetch it, its validators, whether it is retired, and
    the hash of the last body parsed (for servers that ignore conditional requests)."""

    url: str
    cache: FeedCache
    gone: bool
    body_hash: str | None


@dataclass(frozen=True)
class OutboxRow:
    """One pending delivery: a development's post, or an edit of the message that posted it."""

    id: int
    action: str
    attempts: int
    development: DevelopmentView | None  # None for a notice
    message_id: str | None  # for an edit: the post's message, if it was sent
    notice: str = ""  # for a notice: the text, about the bot itself (a feed failing...)


def iso(when: datetime) -> str:
    """UTC ISO-8601 text, sortable as a string: the year always has four digits (strftime's
    %Y writes 999, which sorts after 2024)."""
    return when.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def from_iso(text: str) -> datetime:
    """The inverse of `iso` (fromisoformat is C, strptime pure Python: this runs per story)."""
    return datetime.fromisoformat(text)


class Store:
    """The bot's SQLite database. One instance per process; calls are short and synchronous."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db = Database(conn)
            if self.path != ":memory:":
                self.db.enable_wal()
                # WAL with NORMAL sync stays consistent on a crash; only a power cut can
                # lose the last transactions, and every commit skips an fsync.
                self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            migrations.apply(self.db)
        except sqlite3.DatabaseError as exc:
            raise BotError(f"database {self.path}: {exc}") from None

    def close(self) -> None:
        self.db.close()

    def table(self, name: str) -> Table:
        return self.db.table(name)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all."""
        with self.db.atomic():
            yield

    # feeds ----------------------------------------------------------------------------
    def _insert(self, table: str, values: dict[str, Any]) -> int:
        """A plain INSERT returning the new rowid (sqlite-utils' insert inspects the table
        schema on every call, which a poll of thousands of entries cannot afford)."""
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        cursor = self.db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(values.values()))
        return int(cursor.lastrowid or 0)

    def feed_row(self, name: str) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM feeds WHERE name = ?", [name]))
        return rows[0] if rows else None

    def feed_state(self, name: str, url: str) -> FeedState:
        """What a poll needs to know of a feed, read once; a URL changed in feeds.yaml starts
        over (no validators, no move, no retirement)."""
        row = self.feed_row(name)
        if row is None or row["url"] != url:
            return FeedState(url=url, cache=FeedCache(), gone=False, body_hash=None)
        return FeedState(
            url=row["moved_to"] or url,
            cache=FeedCache(etag=row["etag"], last_modified=row["last_modified"]),
            gone=bool(row["gone_at"]),
            body_hash=row["body_hash"],
        )

    def is_baselined(self, name: str) -> bool:
        row = self.feed_row(name)
        return bool(row and row["baseline_at"])

    def ensure_feed(self, name: str, url: str) -> None:
        """A row for the feed; a new URL in feeds.yaml forgets where the old one moved or died."""
        self.db.execute("INSERT OR IGNORE INTO feeds (name, url) VALUES (?, ?)", [name, url])
        self.db.execute(
            "UPDATE feeds SET url = ?, moved_to = NULL, gone_at = NULL, etag = NULL, last_modified = NULL,"
            " body_hash = NULL WHERE name = ? AND url != ?",
            [url, name, url],
        )

    def record_success(
        self, name: str, url: str, status: int, cache: FeedCache, title: str, now: datetime
    ) -> None:
        self.ensure_feed(name, url)
        self.db.execute(
            "UPDATE feeds SET etag = ?, last_modified = ?, last_fetch_at = ?, last_success_at = ?,"
            " last_status = ?, last_error = NULL, failures = 0, title = COALESCE(NULLIF(?, ''), title)"
            " WHERE name = ?",
            [cache.etag, cache.last_modified, iso(now), iso(now), status, title, name],
        )

    def record_body(self, name: str, digest: str) -> None:
        self.db.execute("UPDATE feeds SET body_hash = ? WHERE name = ?", [digest, name])

    def record_moved(self, name: str, moved_to: str) -> None:
        self.db.execute("UPDATE feeds SET moved_to = ? WHERE name = ?", [moved_to, name])

    def record_gone(self, name: str, now: datetime) -> None:
        self.db.execute("UPDATE feeds SET gone_at = ? WHERE name = ?", [iso(now), name])

    def set_warned(self, name: str, warned: bool) -> None:
        self.db.execute("UPDATE feeds SET warned = ? WHERE name = ?", [int(warned), name])

    def schedule(self, name: str, at: datetime, reason: str) -> None:
        self.db.execute(
            "UPDATE feeds SET next_poll_at = ?, next_reason = ? WHERE name = ?", [iso(at), reason, name]
        )

    def record_polled(
        self, name: str, new_entries: int, seen: int, now: datetime, keep: int = 30
    ) -> list[tuple[datetime, int]]:
        """Add a successful poll to the feed's recent history; return that history."""
        row = self.feed_row(name)
        recent = [(from_iso(t), n) for t, n in json.loads(row["recent"])] if row else []
        recent = [*recent, (now, new_entries)][-keep:]
        self.db.execute(
            "UPDATE feeds SET recent = ?, entries_seen = entries_seen + ? WHERE name = ?",
            [json.dumps([(iso(t), n) for t, n in recent]), seen, name],
        )
        return recent

    # service heartbeat ------------------------------------------------------------------
    def service_started(self, pid: int, now: datetime) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO service (id, pid, started_at, last_poll_at, stopped_at)"
            " VALUES (1, ?, ?, NULL, NULL)",
            [pid, iso(now)],
        )

    def service_polled(self, now: datetime) -> None:
        self.db.execute("UPDATE service SET last_poll_at = ? WHERE id = 1", [iso(now)])

    def service_stopped(self, now: datetime) -> None:
        self.db.execute("UPDATE service SET stopped_at = ? WHERE id = 1", [iso(now)])

    def service(self) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT pid, started_at, last_poll_at, stopped_at FROM service"))
        return rows[0] if rows else None

    def mark_baselined(self, name: str, now: datetime) -> None:
        self.db.execute(
            "UPDATE feeds SET baseline_at = ? WHERE name = ? AND baseline_at IS NULL",
            [iso(now), name],
        )

    def record_failure(self, name: str, url: str, error: str, now: datetime) -> None:
        self.ensure_feed(name, url)
        self.db.execute(
            "UPDATE feeds SET last_fetch_at = ?, last_error = ?, failures = failures + 1 WHERE name = ?",
            [iso(now), error, name],
        )

    # entries and stories --------------------------------------------------------------
    def known_entry(self, feed: str, guid: str) -> Known | None:
        rows = list(
            self.db.query(
                "SELECT title, summary, relevant FROM entries WHERE feed = ? AND guid = ?",
                [feed, guid],
            )
        )
        if not rows:
            return None
        return Known(rows[0]["title"], rows[0]["summary"], bool(rows[0]["relevant"]))

    def entry_text(self, entry_id: int) -> tuple[str, str] | None:
        """A stored entry's headline and its summary and content, as the matcher reads them."""
        rows = list(self.db.query("SELECT title, summary, content FROM entries WHERE id = ?", [entry_id]))
        if not rows:
            return None
        return rows[0]["title"], f"{rows[0]['summary']}\n{rows[0]['content']}"

    def forget_irrelevant(self, before: datetime) -> int:
        """Delete entries judged irrelevant and first seen before `before` (`storage.keep`),
        so months of polling do not grow the database without bound; returns how many.
        Relevant entries, stories and developments are kept forever."""
        cursor = self.db.execute(
            "DELETE FROM entries WHERE relevant = 0 AND story_id IS NULL AND first_seen_at < ?", [iso(before)]
        )
        return cursor.rowcount

    def story_id_for(self, canonical: str) -> int | None:
        rows = list(self.db.query("SELECT id FROM stories WHERE canonical_url = ?", [canonical]))
        return int(rows[0]["id"]) if rows else None

    def save_entry(
        self,
        entry: Entry,
        canonical: str,
        verdict: Verdict,
        decision: str,
        story_id: int | None,
        now: datetime,
        known: bool = True,
    ) -> None:
        """Insert a new entry or update a known one (keeping when it was first seen); `known`
        false says the entry is new, which saves the UPDATE that would find nothing."""
        values = {
            "url": entry.url,
            "canonical_url": canonical,
            "title": entry.title,
            "summary": entry.summary,
            "content": entry.content,
            "published": iso(entry.published),
            "has_date": int(entry.has_date),
            "author": entry.author,
            "outlet": entry.outlet,
            "language": entry.language,
            "updated_at": iso(now),
            "relevant": int(verdict.relevant),
            "score": verdict.score,
            "reasons": json.dumps({"reasons": verdict.reasons, "matched": verdict.matched}),
            "decision": decision,
        }
        if story_id is not None:
            values["story_id"] = story_id
        # An undated entry's date is when it was first seen; a later poll must not move it.
        update = {k: v for k, v in values.items() if entry.has_date or k not in ("published", "has_date")}
        updated = 0
        if known:
            cursor = self.db.execute(
                "UPDATE entries SET "
                + ", ".join(f"{k} = ?" for k in update)
                + " WHERE feed = ? AND guid = ?",
                [*update.values(), entry.feed, entry.guid],
            )
            updated = cursor.rowcount
        if updated == 0:
            self._insert(
                "entries",
                {
                    "feed": entry.feed,
                    "guid": entry.guid,
                    "first_seen_at": iso(now),
                    "story_id": story_id,
                    **values,
                },
            )

    def create_story(self, entry: Entry, canonical: str, kind: str, now: datetime) -> int:
        return self._insert(
            "stories",
            {
                "canonical_url": canonical,
                "url": entry.url or canonical,
                "title": entry.title,
                "summary": entry.summary or entry.content,
                "content": entry.content,
                "outlet": entry.outlet,
                "published": iso(entry.published),
                "feed": entry.feed,
                "language": entry.language,
                "kind": kind,
                "created_at": iso(now),
            },
        )

    def set_digest(self, story_id: int, digest: str, source: str) -> None:
        """The summary to post for a story, and where it came from (article, llm, feed)."""
        self.db.execute(
            "UPDATE stories SET digest = ?, digest_source = ? WHERE id = ?", [digest, source, story_id]
        )

    def undigested_leads(self) -> list[Story]:
        """Lead stories of developments waiting to be posted that have no summary yet."""
        rows = self.db.query(
            "SELECT s.* FROM outbox o JOIN developments d ON d.id = o.development_id"
            " JOIN stories s ON s.id = d.lead_story_id"
            " WHERE o.action = 'post' AND o.state IN ('pending', 'sending') AND s.digest_source IS NULL"
        )
        return [_story(r) for r in rows]

    def llm_requests(self, day: str) -> int:
        row = self.db.execute("SELECT requests FROM llm_usage WHERE day = ?", [day]).fetchone()
        return int(row[0]) if row else 0

    def count_llm_request(self, day: str) -> None:
        self.db.execute(
            "INSERT INTO llm_usage (day, requests) VALUES (?, 1)"
            " ON CONFLICT(day) DO UPDATE SET requests = requests + 1",
            [day],
        )

    def create_development(self, lead: int, kind: str, first_published: datetime, now: datetime) -> int:
        development = self._insert(
            "developments",
            {
                "kind": kind,
                "first_published": iso(first_published),
                "lead_story_id": lead,
                "created_at": iso(now),
            },
        )
        self.join_development(lead, development)
        return development

    def join_development(self, story_id: int, development_id: int) -> None:
        self.db.execute("UPDATE stories SET development_id = ? WHERE id = ?", [development_id, story_id])

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
            grouped.setdefault(row["dev_id"], (row, []))[1].append(_story(row))
        return [
            _view(head["dev_id"], head["dev_kind"], head["dev_first"], head["dev_lead"], stories)
            for head, stories in grouped.values()
        ]

    def development(self, development_id: int) -> DevelopmentView:
        """A development with its lead story first and the others in order of publication."""
        [dev] = self.db.query("SELECT * FROM developments WHERE id = ?", [development_id])
        stories = [
            _story(r)
            for r in self.db.query(
                "SELECT * FROM stories WHERE development_id = ? ORDER BY published, id", [development_id]
            )
        ]
        return _view(development_id, dev["kind"], dev["first_published"], dev["lead_story_id"], stories)

    def post_message(self, development_id: int) -> tuple[str, str | None] | None:
        """The state and message id of a development's post, if it was queued."""
        row = self.db.execute(
            "SELECT state, message_id FROM outbox WHERE development_id = ? AND action = 'post'",
            [development_id],
        ).fetchone()
        return (row[0], row[1]) if row else None

    # outbox ---------------------------------------------------------------------------
    def enqueue_post(self, development_id: int, now: datetime, not_before: datetime | None = None) -> bool:
        """Queue a development's post, to go at `not_before` at the earliest; False when it
        was already queued or sent (never twice)."""
        return self._enqueue(development_id, "post", now, not_before)

    def enqueue_edit(self, development_id: int, now: datetime) -> bool:
        """Queue an edit of the development's message; False when one is already waiting."""
        return self._enqueue(development_id, "edit", now)

    def _enqueue(
        self, development_id: int, action: str, now: datetime, not_before: datetime | None = None
    ) -> bool:
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO outbox (development_id, action, state, created_at, updated_at,"
            " next_attempt_at) VALUES (?, ?, 'pending', ?, ?, ?)",
            [development_id, action, iso(now), iso(now), iso(not_before) if not_before else None],
        )
        return cursor.rowcount == 1

    def pending(self, now: datetime | None = None) -> list[OutboxRow]:
        """Rows still to deliver (a 'sending' row was interrupted) whose retry time has come
        by `now` (all of them without it): notices first, then oldest development first, a
        post before its edits."""
        rows = self.db.execute(
            "SELECT o.id, o.action, o.attempts, o.development_id, p.message_id, o.notice FROM outbox o"
            " LEFT JOIN developments d ON d.id = o.development_id"
            " LEFT JOIN outbox p ON p.development_id = o.development_id AND p.action = 'post'"
            " WHERE o.state IN ('pending', 'sending')"
            " AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?)"
            " ORDER BY o.action != 'notice', d.first_published, d.id, o.action = 'edit', o.id",
            [iso(now) if now else "9999"],
        ).fetchall()
        return [
            OutboxRow(r[0], r[1], r[2], self.development(r[3]) if r[3] else None, r[4], r[5] or "")
            for r in rows
        ]

    def enqueue_notice(self, text: str, now: datetime) -> None:
        """Queue a message about the bot itself (a feed failing, then working again)."""
        self.db.execute(
            "INSERT INTO outbox (action, notice, state, created_at, updated_at)"
            " VALUES ('notice', ?, 'pending', ?, ?)",
            [text, iso(now), iso(now)],
        )

    def waiting(self) -> int:
        """How many rows are queued, whatever their retry time."""
        query = "SELECT COUNT(*) FROM outbox WHERE state IN ('pending', 'sending')"
        return int(self.db.execute(query).fetchone()[0])

    def claim(self, outbox_id: int, now: datetime) -> bool:
        """Mark a row 'sending' if it is still waiting; False when it is not (another process
        sent it, or `retry`/a kill changed it): then it must not be sent."""
        cursor = self.db.execute(
            "UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?"
            " WHERE id = ? AND state IN ('pending', 'sending')",
            [iso(now), outbox_id],
        )
        return cursor.rowcount == 1

    def mark_sent(self, outbox_id: int, message_id: str | None, now: datetime) -> None:
        self.db.execute(
            "UPDATE outbox SET state = 'sent', message_id = ?, sent_at = ?, updated_at = ?,"
            " last_error = NULL WHERE id = ?",
            [message_id, iso(now), iso(now), outbox_id],
        )

    def mark_failed(self, outbox_id: int, error: str, retry_at: datetime | None, now: datetime) -> None:
        """Record a failed attempt: retried from `retry_at`, or dead when that is None."""
        self.db.execute(
            "UPDATE outbox SET state = ?, last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?",
            [
                "dead" if retry_at is None else "pending",
                error,
                iso(retry_at) if retry_at else None,
                iso(now),
                outbox_id,
            ],
        )

    def retry_dead(self, now: datetime) -> int:
        """Re-queue every dead row with a fresh attempt count; returns how many."""
        cursor = self.db.execute(
            "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = NULL, updated_at = ?"
            " WHERE state = 'dead'",
            [iso(now)],
        )
        return cursor.rowcount

    # delivery halt --------------------------------------------------------------------
    def halt(self, reason: str, fingerprint: str, now: datetime) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO delivery_halt (id, reason, fingerprint, halted_at) VALUES (1, ?, ?, ?)",
            [reason, fingerprint, iso(now)],
        )

    def halted(self) -> tuple[str, str, datetime] | None:
        """(reason, credentials fingerprint, since) while delivery is halted."""
        row = self.db.execute("SELECT reason, fingerprint, halted_at FROM delivery_halt").fetchone()
        return (row[0], row[1], from_iso(row[2])) if row else None

    def resume(self) -> None:
        self.db.execute("DELETE FROM delivery_halt")

    def mark_skipped(self, outbox_id: int, why: str, now: datetime) -> None:
        """An edit with nothing to edit (its post never went out): done, not failed."""
        self.db.execute(
            "UPDATE outbox SET state = 'skipped', last_error = ?, updated_at = ? WHERE id = ?",
            [why, iso(now), outbox_id],
        )

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

    # reports ----------------------------------------------------------------------------
    def recent_developments(self, limit: int) -> list[dict[str, Any]]:
        """Newest developments with their post state, coverage count and outlets."""
        rows = list(
            self.db.query(
                "SELECT d.id, d.kind, d.first_published, s.title, s.url, s.outlet, o.state, o.message_id,"
                " (SELECT COUNT(*) FROM stories c WHERE c.development_id = d.id) AS coverage,"
                " (SELECT COUNT(*) FROM entries e JOIN stories c ON e.story_id = c.id"
                "  WHERE c.development_id = d.id) AS entries"
                " FROM developments d JOIN stories s ON s.id = d.lead_story_id"
                " LEFT JOIN outbox o ON o.development_id = d.id AND o.action = 'post'"
                " ORDER BY d.first_published DESC, d.id DESC LIMIT ?",
                [limit],
            )
        )
        for row in rows:
            row["outlets"] = [
                r[0]
                for r in self.db.execute(
                    "SELECT outlet FROM stories WHERE development_id = ? GROUP BY outlet"
                    " ORDER BY MIN(published)",
                    [row["id"]],
                )
            ]
        return rows

    def status(self) -> dict[str, Any]:
        counts = {
            "entries": self.table("entries").count,
            "relevant": self.db.execute("SELECT COUNT(*) FROM entries WHERE relevant").fetchone()[0],
            "stories": self.table("stories").count,
            "developments": self.table("developments").count,
        }
        outbox = {
            row["state"]: row["n"]
            for row in self.db.query("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state")
        }
        last_post = self.db.execute("SELECT MAX(sent_at) FROM outbox WHERE state = 'sent'").fetchone()[0]
        feeds = list(
            self.db.query(
                "SELECT f.name, f.url, f.moved_to, f.gone_at, f.last_success_at, f.last_fetch_at,"
                " f.last_status, f.last_error, f.failures, f.baseline_at, f.next_poll_at, f.next_reason,"
                " f.entries_seen, (SELECT COUNT(*) FROM entries e WHERE e.feed = f.name AND e.relevant)"
                " AS relevant FROM feeds f ORDER BY f.name"
            )
        )
        dead = list(
            self.db.query(
                "SELECT id, development_id, action, notice, attempts, last_error FROM outbox"
                " WHERE state = 'dead'"
            )
        )
        halt = self.halted()
        size = Path(self.path).stat().st_size if self.path != ":memory:" and Path(self.path).exists() else 0
        wal = Path(self.path + "-wal")
        size += wal.stat().st_size if wal.exists() else 0
        return {
            "database_bytes": size,
            "service": self.service(),
            "counts": counts,
            "outbox": outbox,
            "last_post_at": last_post,
            "halted": {"reason": halt[0], "since": iso(halt[2])} if halt else None,
            "feeds": feeds,
            "dead": dead,
        }


def _view(development_id: int, kind: str, first: str, lead_id: int, stories: list[Story]) -> DevelopmentView:
    lead = next(s for s in stories if s.id == lead_id)
    return DevelopmentView(
        id=development_id,
        kind=kind,
        first_published=from_iso(first),
        lead=lead,
        coverage=tuple(s for s in stories if s.id != lead.id),
    )


def _story(row: dict[str, Any]) -> Story:
    return Story(
        id=row["id"],
        title=row["title"],
        url=row["url"],
        summary=row["summary"],
        outlet=row["outlet"],
        published=from_iso(row["published"]),
        canonical_url=row["canonical_url"],
        language=row["language"],
        kind=row["kind"],
        content=row["content"],
        digest=row["digest"] or "",
    )

"""Entries (every feed item and the decision made on it) and stories (one per canonical
URL): what dedup needs to know, and what clustering and summaries write back."""

from __future__ import annotations

import json
from datetime import datetime

from bot.judge.dedup import Known
from bot.models import Entry, Story, Verdict
from bot.store.base import StoreBase, mapped, story_from_row
from bot.store.records import iso


class EntriesMixin(StoreBase):
    @mapped
    def known_entry(self, feed: str, guid: str) -> Known | None:
        row = self.db.execute(
            "SELECT title, summary, relevant FROM entries WHERE feed = ? AND guid = ?", [feed, guid]
        ).fetchone()
        return Known(row[0], row[1], bool(row[2])) if row else None

    @mapped
    def stored_verdict(self, entry_id: int) -> tuple[str, str, Verdict, str] | None:
        """A stored entry's headline, its text as the matcher reads it, the verdict it got, and
        its key (canonical URL, or a docket entry's identity)."""
        row = self.db.execute(
            "SELECT title, summary, content, relevant, score, reasons, canonical_url"
            " FROM entries WHERE id = ?",
            [entry_id],
        ).fetchone()
        if row is None:
            return None
        why = json.loads(row[5])
        matched = {k: tuple(v) for k, v in why.get("matched", {}).items()}
        verdict = Verdict(bool(row[3]), float(row[4]), tuple(why.get("reasons", ())), matched)
        return row[0], f"{row[1]}\n{row[2]}", verdict, row[6]

    @mapped
    def forget_irrelevant(self, before: datetime) -> int:
        """Delete entries judged irrelevant and first seen before `before` (`storage.keep`),
        so months of polling do not grow the database without bound; returns how many.
        Relevant entries, stories and developments are kept forever."""
        cursor = self.db.execute(
            "DELETE FROM entries WHERE relevant = 0 AND story_id IS NULL AND first_seen_at < ?", [iso(before)]
        )
        return cursor.rowcount

    @mapped
    def story_id_for(self, canonical: str) -> int | None:
        row = self.db.execute("SELECT id FROM stories WHERE canonical_url = ?", [canonical]).fetchone()
        return int(row[0]) if row else None

    @mapped
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

    @mapped
    def create_story(
        self,
        entry: Entry,
        canonical: str,
        kind: str,
        now: datetime,
        development: int | None = None,
        why: str = "",
    ) -> int:
        """Store a story, placed in `development` (for `why`) when it joins a known one."""
        return self._insert(
            "stories",
            {
                "development_id": development,
                "placement": why or None,
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
                "image": entry.image or None,
                "document": entry.document or None,
                "created_at": iso(now),
            },
        )

    @mapped
    def revise_story(self, story_id: int, entry: Entry) -> int | None:
        """A story whose item the publisher edited takes its new headline, text, picture and
        filing (its prepared summary is made again when the text changed); returns its
        development. A docket stub that comes back with its description is such an edit."""
        text = entry.summary or entry.content
        self.db.execute(
            "UPDATE stories SET title = ?, summary = ?, content = ?, image = coalesce(?, image),"
            " document = coalesce(?, document),"
            " digest = CASE WHEN summary = ? AND content = ? THEN digest END,"
            " digest_source = CASE WHEN summary = ? AND content = ? THEN digest_source END WHERE id = ?",
            [
                entry.title,
                text,
                entry.content,
                entry.image or None,
                entry.document or None,
                *(text, entry.content) * 2,
                story_id,
            ],
        )
        row = self.db.execute("SELECT development_id FROM stories WHERE id = ?", [story_id]).fetchone()
        return int(row[0]) if row and row[0] is not None else None

    @mapped
    def set_digest(self, story_id: int, digest: str, source: str, image: str = "") -> None:
        """The summary to post for a story, where it came from (article, llm, feed), and the
        article page's picture, kept only when the feed item gave none."""
        self.db.execute(
            "UPDATE stories SET digest = ?, digest_source = ?, image = coalesce(image, ?) WHERE id = ?",
            [digest, source, image or None, story_id],
        )

    @mapped
    def undigested_leads(self) -> list[Story]:
        """Lead stories of developments waiting to be posted that have no summary yet."""
        rows = self.db.query(
            "SELECT s.* FROM outbox o JOIN developments d ON d.id = o.development_id"
            " JOIN stories s ON s.id = d.lead_story_id"
            " WHERE o.action = 'post' AND o.state IN ('pending', 'sending') AND s.digest_source IS NULL"
        )
        return [story_from_row(r) for r in rows]

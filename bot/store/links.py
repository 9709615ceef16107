"""Google News links: each article id's publisher URL, once known, and the ids Google has
not told yet (how often asked, the last error)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlite_utils import Database

from bot.store.base import StoreBase, mapped
from bot.store.records import LinkCounts, iso


class LinksMixin(StoreBase):
    @mapped
    def known_links(self, ids: Sequence[str]) -> dict[str, str]:
        """The publisher URLs already known for `ids`."""
        found: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT id, url FROM google_links WHERE url IS NOT NULL AND id IN ({marks})", chunk
            )
            found.update({row[0]: row[1] for row in rows})
        return found

    @mapped
    def save_link(self, article: str, url: str, now: datetime) -> None:
        self.db.execute(
            "INSERT INTO google_links (id, url, updated_at) VALUES (?, ?, ?) ON CONFLICT(id)"
            " DO UPDATE SET url = excluded.url, error = NULL, updated_at = excluded.updated_at",
            [article, url, iso(now)],
        )

    @mapped
    def link_failed(self, article: str, error: str, now: datetime) -> None:
        self.db.execute(
            "INSERT INTO google_links (id, tries, error, updated_at) VALUES (?, 1, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET tries = tries + 1, error = excluded.error,"
            " updated_at = excluded.updated_at",
            [article, error[:300], iso(now)],
        )

    @mapped
    def link_counts(self) -> LinkCounts:
        """How many links are resolved and failing, and since when the decoder fails."""
        return read_link_counts(self.db)


def read_link_counts(db: Database) -> LinkCounts:
    """The Google News links' counts (`LinksMixin.link_counts`; also read by `status`)."""
    resolved, failing, since = db.execute(
        "SELECT COUNT(url), COUNT(*) - COUNT(url), MIN(CASE WHEN url IS NULL THEN updated_at END)"
        " FROM google_links"
    ).fetchone()
    return LinkCounts(resolved, failing, since or "")

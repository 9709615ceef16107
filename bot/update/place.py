"""Placing a new story: store it, put it in its development (or a new one, or none), and
queue what that means for the channel (the post, an edit, a surge's ping, the story so far).
The poll calls it inside its transaction; `forget` drops what it learnt when that rolls back."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.judge import cluster, escalate, policy
from bot.judge.dedup import Action
from bot.models import Entry
from bot.update.candidates import OpenDevelopments
from bot.update.decide import edits_post, shift

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


class Placer:
    """Places stories for `app`, keeping the open developments' features between stories."""

    def __init__(self, app: App) -> None:
        self.app = app
        self._open: OpenDevelopments | None = None  # built for the rules of the first story

    def forget(self) -> None:
        """The transaction rolled back: what was kept may name stories that are not stored."""
        self._open = None

    def revise(self, story_id: int, entry: Entry, now: datetime) -> int:
        """The publisher edited a story's item: the story takes the new headline and text, and
        its development's sent post is edited to match, never posted again. Returns how many
        outbox rows it queued."""
        store = self.app.store
        development = store.revise_story(story_id, entry)
        if development is None:
            return 0
        timeline = int(self.app.config.discord.timeline and store.enqueue_timeline(now))
        return timeline + int(
            edits_post(store.post_message(development), True) and store.enqueue_edit(development, now)
        )

    def develop(
        self,
        entry: Entry,
        key: str,
        sketch: cluster.Features,
        fresh: bool,
        now: datetime,
        hold: datetime | None = None,
    ) -> tuple[int, Action | None, int]:
        """Store a new story and place it: in a new development (posted when `fresh`, not
        before `hold` nor before the topic's settle time has passed), in a known one (whose
        posted message is edited when `fresh`), or, a roundup joining none, in none. Returns
        the story id, COVERAGE or ROUNDUP unless it started a development, and how many
        outbox rows it queued."""
        store, kinds, kind = self.app.store, self.app.kinds, sketch.kind
        if self._open is None or self._open.kinds is not kinds or self._open.store is not store:
            self._open = OpenDevelopments(store, kinds)  # the rules changed: features do too
        assignment = cluster.assign(sketch, self._open.around(sketch), kinds)
        joined = assignment.development
        timeline = int(self.app.config.discord.timeline and store.enqueue_timeline(now))
        kept = joined is not None or assignment.aside  # the reason is the story's, not a development's
        story_id = store.create_story(entry, key, kind, now, joined, assignment.reason if kept else "")
        features = replace(sketch, story_id=story_id)
        log.debug("story %d %r: %s", story_id, entry.title[:60], assignment.reason)
        if assignment.aside:
            return story_id, Action.ROUNDUP, timeline
        if joined is None:
            development = store.create_development(story_id, kind, entry.published, now, assignment.reason)
            self._open.placed(features, development, entry.published, kind)
            hold = policy.settled(now, hold, self.app.config.topic.developments.settle)
            fresh = fresh and self.app.config.discord.per_development  # else: digests only
            posted = int(fresh and store.enqueue_post(development, now, hold, may_ping=True))
            return story_id, None, posted + timeline
        self._open.placed(features, joined, entry.published, kind)
        edit = edits_post(store.post_message(joined), fresh)
        queued = timeline + int(edit and store.enqueue_edit(joined, now))
        queued += int(
            fresh and self.app.config.discord.threads and store.enqueue_coverage(joined, story_id, now)
        )
        return story_id, Action.COVERAGE, queued + int(fresh and self._surging(joined, entry.published, now))

    def _surging(self, development: int, published: datetime, now: datetime) -> bool:
        """Queue the development's one surge ping when its coverage around `published` crosses
        `discord.ping.surge`; whether it was queued now."""
        ping = self.app.config.discord.ping
        if ping is None or ping.surge is None:
            return False
        within, store = ping.surge.within, self.app.store
        coverage = store.coverage_times(development, shift(published, -within), shift(published, within))
        return escalate.surged(coverage, ping.surge) and store.enqueue_ping(development, now)

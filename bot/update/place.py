"""Placing a new story: store it, put it in its development (or a new one, or none), and
queue what that means for the channel (the post, an edit, a surge's ping, the story so far).
The poll calls it inside its transaction; `forget` drops what it learnt when that rolls back."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.judge import cluster, escalate, placement
from bot.judge.dedup import Action
from bot.models import Entry
from bot.store import OutboxState, PostState
from bot.update.candidates import OpenDevelopments
from bot.update.decide import shift

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
        queue = placement.revision(sent(store.post_message(development)), self.app.config.discord)
        return store.requeue(development, queue, now)

    def develop(
        self,
        entry: Entry,
        key: str,
        sketch: cluster.Features,
        fresh: bool,
        now: datetime,
        hold: datetime | None = None,
    ) -> Developed:
        """Store a new story and place it: in a new development (posted when `fresh`, not
        before `hold` nor before the topic's settle time has passed), in a known one (whose
        posted message is edited when `fresh`), or, a roundup joining none, in none."""
        store, kinds, config = self.app.store, self.app.kinds, self.app.config
        if self._open is None or self._open.kinds is not kinds or self._open.store is not store:
            self._open = OpenDevelopments(store, kinds)  # the rules changed: features do too
        assignment = cluster.assign(sketch, self._open.around(sketch), kinds)
        joined = assignment.development
        post_sent = joined is not None and sent(store.post_message(joined))
        settle = config.topic.developments.settle
        planned = placement.plan(assignment, post_sent, fresh, config.discord, settle, now, hold)
        placed = store.place(entry, key, sketch.kind, planned, now)
        log.debug("story %d %r: %s", placed.story_id, entry.title[:60], assignment.reason)
        if placed.development_id is None:
            return Developed(placed.story_id, Action.ROUNDUP, placed.queued, posted=False)
        features = replace(sketch, story_id=placed.story_id)
        self._open.placed(features, placed.development_id, entry.published, sketch.kind)
        if planned.starts:
            return Developed(placed.story_id, None, placed.queued, placed.posted)
        surged = planned.queue.surge and self._surging(placed.development_id, entry.published, now)
        return Developed(placed.story_id, Action.COVERAGE, placed.queued + int(surged), posted=False)

    def _surging(self, development: int, published: datetime, now: datetime) -> bool:
        """Queue the development's one surge ping when its coverage around `published` crosses
        `discord.ping.surge`; whether it was queued now."""
        ping = self.app.config.discord.ping
        assert ping is not None and ping.surge is not None  # the plan checks only then
        within, store = ping.surge.within, self.app.store
        coverage = store.coverage_times(development, shift(published, -within), shift(published, within))
        return escalate.surged(coverage, ping.surge) and store.enqueue_ping(development, now)


@dataclass(frozen=True)
class Developed:
    """A new story placed: its id, COVERAGE or ROUNDUP unless it started a development (None),
    how many outbox rows it queued, and whether a new development's post was among them."""

    story_id: int
    action: Action | None
    queued: int
    posted: bool


def sent(post: PostState | None) -> bool:
    """Whether a development's post went out."""
    return post is not None and post.state is OutboxState.SENT

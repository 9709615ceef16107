"""The open developments a new story could join, as clustering sees them.

The store finds the candidates through its indexes (near in time, of a kind the story may
join, naming one of its people); their features are kept here between stories, so that a
verdict day of thousands of stories reads each development's stories once and not once per
story. The store stays the truth: a development whose latest story changed (another
process added one) is read again.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime

from bot.judge import cluster
from bot.judge.kinds import KindFinder
from bot.store import Near, Store
from bot.update.decide import shift

MEMBERS = 24  # the latest stories of a development clustering compares with, besides its lead
KEPT = 5_000  # developments kept between stories, the ones near in time (about 70 KiB at 25 stories)


class OpenDevelopments:
    """Candidates for clustering, read through the store and kept between stories."""

    def __init__(self, store: Store, kinds: KindFinder) -> None:
        self.store, self.kinds = store, kinds
        self._kept: OrderedDict[int, tuple[int, cluster.Development]] = OrderedDict()

    def around(self, story: cluster.Features) -> list[cluster.Development]:
        """The developments `story` could join."""
        named = _indexed(story)
        span = self.kinds.span
        near = Near(
            story.published,
            shift(story.published, -span),
            shift(story.published, span),
            self.kinds.joinable(story.kind),
            frozenset(named),
        )
        found = self.store.candidates(near)
        stale = [c.id for c in found if self._stamp(c.id) != c.latest_story]
        if stale:
            for view in self.store.candidate_views(stale, MEMBERS):
                self._keep(cluster.development(view, self.kinds))
        for c in found:
            self._kept[c.id] = (c.latest_story, self._kept[c.id][1])
            self._kept.move_to_end(c.id)
        return [self._kept[c.id][1] for c in found]

    def placed(self, story: cluster.Features, development: int, first_published: datetime, kind: str) -> None:
        """Record where the stored `story` went (a development just read by `around`, or a
        new one), and index it by the names it carries."""
        self.store.name_story(story.story_id, story.published, _indexed(story))
        if development in self._kept:
            known = self._kept[development][1]
            grown = cluster.joined(known, story, MEMBERS, self.kinds)
            if grown.kind != known.kind:  # the first story that tells what happened names it
                self.store.set_development_kind(development, grown.kind)
            self._kept[development] = (story.story_id, grown)
        else:
            self._keep(cluster.Development(development, first_published, kind, (story,)), story.story_id)

    def _stamp(self, development: int) -> int | None:
        kept = self._kept.get(development)
        return kept[0] if kept else None

    def _keep(self, development: cluster.Development, stamp: int = 0) -> None:
        self._kept[development.id] = (stamp, development)
        self._kept.move_to_end(development.id)
        while len(self._kept) > KEPT:
            self._kept.popitem(last=False)


def _indexed(story: cluster.Features) -> list[str]:
    """The names a story is indexed and looked up by: a few, the same ones both ways."""
    return sorted(story.names)[: cluster.MAX_NAMES]

"""The topic's event kinds: which kind of event a story reports, how long its development
stays open, and which kinds go together or tell nothing (see `topic.developments.events`).

Pure; imports only `bot.config`, `bot.judge.evidence`, `bot.judge.match` and `bot.text`.
"""

from __future__ import annotations

from datetime import timedelta

from bot.config import Developments, Topic
from bot.judge.evidence import witness
from bot.judge.match import TermSet
from bot.text import fold

LEDE = 400  # characters of a story's text where its witness is looked for


class KindFinder:
    """The topic's event kinds, in priority order, compiled once."""

    def __init__(self, developments: Developments, common: frozenset[str] = frozenset()) -> None:
        self.common = common  # names every story of the topic carries: no evidence
        self._kinds = [(kind.name, TermSet.build(kind.terms)) for kind in developments.events]
        self._windows = {kind.name: kind.window for kind in developments.events}
        self._default = developments.window
        self._absorbs = {kind.name: kind.absorbs for kind in developments.events}
        self._weak = frozenset(kind.name for kind in developments.events if kind.weak)
        self._per_person = frozenset(kind.name for kind in developments.events if kind.per_person)
        self._roundup = frozenset(kind.name for kind in developments.events if kind.roundup)
        self._people_terms = {name: terms for name, terms in self._kinds if name in self._per_person}

    @classmethod
    def for_topic(cls, topic: Topic) -> KindFinder:
        """The topic's kinds, with its parties' names as the names every story carries."""
        return cls(topic.developments, common_names(topic.require))

    def kind(self, title: str, text: str) -> str:
        """The first kind whose terms occur in the headline, else in the text, else ''; a
        `weak` kind (it tells nothing) only when neither tells what happened; a `roundup`
        only by the headline (a lede may look back on the way to its news)."""
        weak = ""
        for part, headline in ((fold(title), True), (fold(text), False)):
            for name, terms in self._kinds:
                if (headline or name not in self._roundup) and part and terms.find(part):
                    if name not in self._weak:
                        return name
                    weak = weak or name
        return weak

    @property
    def span(self) -> timedelta:
        """The longest window: how far around a story to look for its development."""
        return max([self._default, *self._windows.values()])

    def window(self, kind: str) -> timedelta:
        return self._windows.get(kind, self._default)

    def telling(self, kind: str) -> str:
        """`kind` if it says what happened; '' for a weak kind (its terms, "lawsuit", "sues",
        only say that a story is about the suit), a roundup and none."""
        return "" if kind in self._weak or kind in self._roundup else kind

    def roundup(self, kind: str) -> bool:
        """Whether a story of `kind` looks back over the case (a week in review, what to know)
        rather than reporting an event: it joins a development only by its people or a copied
        headline, and never starts one."""
        return kind in self._roundup

    def per_person(self, *kinds: str) -> bool:
        """Whether one of `kinds` recurs with other people (each witness's testimony): its
        stories naming people, none in common, report two developments."""
        return any(kind in self._per_person for kind in kinds)

    def witness(self, kind: str, title: str, text: str, people: frozenset[str]) -> str:
        """Whom a story of a `per_person` kind is about: one of `people` (the parties and the
        names its lede carries) right before the kind's term in its headline, else its lede."""
        terms = self._people_terms.get(kind)
        if terms is None:
            return ""
        return witness(fold(title), terms, people) or witness(fold(text[:LEDE]), terms, people)

    def joinable(self, story_kind: str) -> tuple[str, ...]:
        """The kinds of development a story of `story_kind` may join by kind (none when
        its kind tells nothing: such a story joins by time, names or a copied headline)."""
        if not self.telling(story_kind):
            return ()
        return tuple(name for name, _ in self._kinds if self.telling(name) and self.joins(story_kind, name))

    def joins(self, story_kind: str, development_kind: str) -> bool:
        """A story of `story_kind` may join a development of `development_kind`: the same
        kind, or kinds that go together (one `absorbs` the other, either way round)."""
        return story_kind == development_kind or self.together(story_kind, development_kind)

    def together(self, one: str, other: str) -> bool:
        """Different kinds that may report one event (a verdict, the dismissal that follows it
        and the vow to appeal; a deposition and the deponent's testimony): one of them
        `absorbs` the other. `bot.judge.cluster` says when they do (on the day, or about its people)."""
        return one in self._absorbs.get(other, ()) or other in self._absorbs.get(one, ())


def common_names(require: dict[str, tuple[str, ...]]) -> frozenset[str]:
    """The names every relevant story carries: the topic's `require` terms, folded."""
    return frozenset(
        fold(term).rstrip("*").split()[0] for terms in require.values() for term in terms if term.strip()
    )

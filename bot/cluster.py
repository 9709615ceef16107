"""Developments: which stories report the same event, and which are a new one.

Pure. A story's `Features` are its time, language, event kind (the first of the topic's
`developments.events` kinds found in its headline, else in its text), headline words and
the names its lede carries. `assign` puts a new story into the closest matching
development, or none. A story joins a development only when it was published within the
kind's `window` of the development's *first* story (the anchor does not move, so a week of
daily coverage cannot chain into one development), and

- both kinds tell what happened and are the same, or go together on the day (one of the
  development's kinds `absorbs` the story's or the other way round: a verdict, the
  dismissal and the vow to appeal), unless a kind is `per_person` (testimony recurs with
  every witness) and each names people, none in common; or
- a kind tells nothing (unknown, or `weak`: "lawsuit" is in nearly every story) and the
  story names one of the development's people within 36 hours of its latest story, or came
  in its first hours of coverage (12 hours from its first story, or from its latest while
  that is within 36 hours of the first, but then naming one of its people if its kind is
  `per_person`) with no other numbers in its headline; or
- its headline is near-identical to a member's in the same language (wire copies).

A development's kind is its first story's, or, when that one told nothing, the kind of the
first story that tells what happened (`joined`).

Names are capitalised words inside a lede's sentences, in any language but those that
capitalise every noun (German); not the topic's own parties (its `require` terms: Musk,
OpenAI, Altman) nor their first names, not weekdays and months (see `bot.evidence`). A
story of a `per_person` kind about the same witness as the development (a party too:
"Musk testifies") is never kept apart by the other names its lede carries.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from rapidfuzz import fuzz, process

from bot.config import Developments, Topic
from bot.evidence import NOUNS_CAPITALISED, names, witness, words
from bot.match import TermSet
from bot.models import DevelopmentView, Entry, Story
from bot.text import fold, primary_language

log = logging.getLogger(__name__)

LEDE = 400  # characters of a story's text where its witness is looked for
MAX_NAMES = 8  # names of a lede that clustering looks developments up by
APART = timedelta(hours=12)  # stories this far apart need their people in common
# How long after a development's latest story its names link a story to it: the next day,
# whatever the hour; a day exactly would split a burst by the hour its items carry.
FOLLOW_UP = timedelta(hours=36)


@dataclass(frozen=True)
class Features:
    """What clustering needs to know of one story."""

    story_id: int
    published: datetime
    language: str
    kind: str
    title_words: frozenset[str]
    names: frozenset[str] = frozenset()  # people and places named in the lede
    numbers: frozenset[str] = frozenset()  # the headline's numbers: "day 1" is not "day 4"
    title_key: str = ""  # the headline's words, sorted: what near-copies are compared by
    witness: str = ""  # whom a story of a `per_person` kind is about ("Brockman testifies")


@dataclass(frozen=True)
class Development:
    """A development as clustering sees it: its first story's time, its kind (see `joined`), its stories."""

    id: int
    first_published: datetime
    kind: str
    members: tuple[Features, ...]

    @functools.cached_property
    def names(self) -> frozenset[str]:
        """Every name its stories' ledes carry."""
        return frozenset().union(*(m.names for m in self.members))

    @functools.cached_property
    def witnesses(self) -> frozenset[str]:
        """Whom its stories of a `per_person` kind are about."""
        return frozenset(m.witness for m in self.members if m.witness)

    @functools.cached_property
    def latest(self) -> datetime:
        return max(m.published for m in self.members)

    @functools.cached_property
    def headlines(self) -> dict[str, tuple[tuple[str, ...], tuple[Features, ...]]]:
        """Per language, the headlines long enough to compare (sorted words) and their stories."""
        found: dict[str, list[Features]] = {}
        for member in self.members:
            if len(member.title_words) >= 4:
                found.setdefault(member.language, []).append(member)
        return {lang: (tuple(m.title_key for m in ms), tuple(ms)) for lang, ms in found.items()}


@dataclass(frozen=True)
class Assignment:
    development: int | None
    reason: str


NEAR_DUPLICATE = 0.85  # headline similarity (0-1) of two copies of one wire story


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
        self._people_terms = {name: terms for name, terms in self._kinds if name in self._per_person}

    @classmethod
    def for_topic(cls, topic: Topic) -> KindFinder:
        """The topic's kinds, with its parties' names as the names every story carries."""
        return cls(topic.developments, common_names(topic.require))

    def kind(self, title: str, text: str) -> str:
        """The first kind whose terms occur in the headline, else in the text, else ''."""
        for part in (fold(title), fold(text)):
            for name, terms in self._kinds:
                if part and terms.find(part):
                    return name
        return ""

    @property
    def span(self) -> timedelta:
        """The longest window: how far around a story to look for its development."""
        return max([self._default, *self._windows.values()])

    def window(self, kind: str) -> timedelta:
        return self._windows.get(kind, self._default)

    def telling(self, kind: str) -> str:
        """`kind` if it says what happened; '' for a weak kind (its terms, "lawsuit", "sues",
        only say that a story is about the suit) and for none."""
        return "" if kind in self._weak else kind

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
        """Different kinds of one event on its day (a verdict, the dismissal that follows it
        and the vow to appeal): one of them `absorbs` the other."""
        return one in self._absorbs.get(other, ()) or other in self._absorbs.get(one, ())


def features(story: Story, kinds: KindFinder | None = None) -> Features:
    """A stored story's features; its kind was found when it was stored. Without `kinds`
    (tests), no name is the topic's own and no story has a witness."""
    common = kinds.common if kinds else frozenset()
    title = words(story.title)
    language = primary_language(story.language or "")
    text = story.summary or story.content
    named = frozenset() if language in NOUNS_CAPITALISED else names(text, common)
    return Features(
        story_id=story.id,
        published=story.published,
        language=language,
        kind=story.kind,
        title_words=title,
        names=named,
        numbers=frozenset(w for w in title if w[0].isdigit()),
        title_key=" ".join(sorted(title)),
        witness=kinds.witness(story.kind, story.title, text, common | named) if kinds else "",
    )


def sketch(entry: Entry, kinds: KindFinder) -> Features:
    """A relevant entry's features before it is stored (story id 0): its kind, headline
    words and names, as `features` finds them in the stored story."""
    kind = kinds.kind(entry.title, entry.summary or entry.content)
    story = Story(
        0,
        entry.title,
        entry.url,
        entry.summary,
        entry.outlet,
        entry.published,
        "",
        entry.language,
        kind,
        content=entry.content,
    )
    return features(story, kinds)


def development(view: DevelopmentView, kinds: KindFinder | None = None) -> Development:
    """A stored development as clustering sees it."""
    members = (view.lead, *view.coverage)
    return Development(view.id, view.first_published, view.kind, tuple(features(s, kinds) for s in members))


def joined(development: Development, story: Features, cap: int, kinds: KindFinder) -> Development:
    """`development` with `story` added, keeping its first story and the latest `cap` others
    (as the store reads a candidate). A development whose kind told nothing takes the kind
    of the first story that tells what happened."""
    first, *rest = development.members
    upgrade = not kinds.telling(development.kind) and kinds.telling(story.kind)
    kind = story.kind if upgrade else development.kind
    return replace(development, kind=kind, members=(first, *[*rest, story][-cap:]))


def common_names(require: dict[str, tuple[str, ...]]) -> frozenset[str]:
    """The names every relevant story carries: the topic's `require` terms, folded."""
    return frozenset(
        fold(term).rstrip("*").split()[0] for terms in require.values() for term in terms if term.strip()
    )


def near_duplicate(story: Features, development: Development) -> str:
    """Why `story` is a copy of one of the development's stories in its language, or '': their
    headlines' content words alike (rapidfuzz, in any order), both of four words or more, and
    no different numbers ("day 1" and "day 4" are two events)."""
    keys, members = development.headlines.get(story.language, ((), ()))
    if len(story.title_words) < 4 or not keys:
        return ""
    cutoff = NEAR_DUPLICATE * 100
    for _, score, index in process.extract(
        story.title_key, keys, scorer=fuzz.ratio, score_cutoff=cutoff, limit=None
    ):
        member = members[index]
        if not (story.numbers and member.numbers and story.numbers != member.numbers):
            return f"near-identical headline ({score / 100:.2f}) to story {member.story_id}"
    return ""


def _recent(story: Features, development: Development) -> bool:
    """Whether `story` came within FOLLOW_UP of the development's latest story."""
    return abs(story.published - development.latest) <= FOLLOW_UP


def _judge(story: Features, development: Development, kinds: KindFinder) -> tuple[bool, str]:
    """Whether `story` may join `development`, and the evidence either way."""
    gap = abs(story.published - development.first_published)
    if gap > kinds.window(development.kind):
        return (
            False,
            f"{_hours(gap)} after its first story, outside the {development.kind or 'default'!r} window",
        )
    ours, theirs = story.names, development.names
    told = kinds.telling(story.kind) and kinds.telling(development.kind)  # both kinds say what happened
    same = story.kind == development.kind
    if told and (same or any(kinds.together(story.kind, m.kind) for m in development.members)):
        if kinds.per_person(story.kind, development.kind) and (other := _someone_else(story, development)):
            why = other
        elif gap >= APART and not same:
            why = f"kind {story.kind!r} goes with {development.kind!r} only on the same day"
        else:
            return True, f"{story.kind!r} story within the {development.kind!r} development's window"
    elif not told and (shared := ours & theirs):
        if _recent(story, development):
            return (
                True,
                f"names {', '.join(sorted(shared)[:3])} like a development of the last 36 hours",
            )
        why = f"names {', '.join(sorted(shared)[:3])} too, but more than 36 hours after its latest story"
    elif told:
        why = f"kind {story.kind!r} does not join kind {development.kind!r}"
    else:
        why = f"{_weaker(story, development, kinds)} tells nothing and no name in common"
    if not told and _first_hours(story, development, kinds) and not _counts_differ(story, development):
        weaker = _weaker(story, development, kinds)
        return True, f"in its first hours of coverage, and {weaker} tells nothing"
    copy = near_duplicate(story, development)
    return (True, copy) if copy else (False, why)


def _someone_else(story: Features, development: Development) -> str:
    """Why `story` is about other people than the development, or '': names in its lede,
    none in common, unless it is about one of the development's witnesses (a party's day
    on the stand, whose ledes name whichever lawyer questioned them)."""
    if story.witness in development.witnesses:
        return ""
    ours, theirs = story.names, development.names
    if ours and theirs and not ours & theirs:
        return f"names {', '.join(sorted(ours)[:3])}, it {', '.join(sorted(theirs)[:3])}"
    return ""


def _first_hours(story: Features, development: Development, kinds: KindFinder) -> bool:
    """Whether `story` came in the development's first hours of coverage: within APART of its
    first story, or of its latest while that is within FOLLOW_UP of the first (a burst that
    began the evening before), unless the development is a `per_person` kind's and the story
    names none of its people (the next morning may be the next witness's)."""
    gap = abs(story.published - development.first_published)
    if gap < APART:
        return True
    later = gap <= FOLLOW_UP and abs(story.published - development.latest) < APART
    same_people = story.names & development.names or story.witness in development.witnesses
    return later and not (kinds.per_person(development.kind) and not same_people)


def _weaker(story: Features, development: Development, kinds: KindFinder) -> str:
    """Which side's kind tells nothing, for a reason."""
    if not kinds.telling(story.kind):
        return f"its kind {story.kind or 'unknown'!r}"
    return f"the development's kind {development.kind or 'unknown'!r}"


def _counts_differ(story: Features, development: Development) -> bool:
    """Whether the story's headline carries numbers and the development's first headline
    others ("day 1" and "day 4", "$97.4bn" and "$150bn"): two events."""
    first = development.members[0].numbers
    return bool(story.numbers and first and story.numbers != first)


def _hours(gap: timedelta) -> str:
    return f"{gap.total_seconds() / 3600:.0f}h"


def assign(story: Features, candidates: Sequence[Development], kinds: KindFinder) -> Assignment:
    """The development `story` belongs to, or None for a new one; ties go to the closest in
    time. The reason names the runner-up too: the next closest development and why it lost.
    Candidates are judged closest first, and only until the answer and its runner-up are known."""
    by_gap = sorted(candidates, key=lambda d: (abs(story.published - d.first_published), d.id))
    judged: list[tuple[Development, bool, str]] = []
    for development in by_gap:
        judged.append((development, *_judge(story, development, kinds)))
        if len(judged) >= 2 and (judged[0][1] or judged[-1][1]):  # the answer and its runner-up
            break
    best = next((j for j in judged if j[1]), None)
    others = [j for j in judged if j is not best]
    runner_up = ""
    if others:
        other, joins, why = others[0]
        gap = abs(story.published - other.first_published)
        verdict = "also fits, but further in time" if joins and best else why
        runner_up = f"; runner-up: development {other.id} ({_hours(gap)} away): {verdict}"
    if best is None:
        log.debug("story %d: new development (kind %r)", story.story_id, story.kind)
        return Assignment(None, f"new development, kind {story.kind or 'unknown'!r}{runner_up}")
    log.debug("story %d: development %d: %s", story.story_id, best[0].id, best[2])
    return Assignment(best[0].id, best[2] + runner_up)

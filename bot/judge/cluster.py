"""Developments: which stories report the same event, and which are a new one.

Pure. A story's `Features` are its time, language, event kind (the first of the topic's
`developments.events` kinds found in its headline, else in its text, a `weak` one only when
no other is found), headline words and the names its lede carries. `assign` puts a new
story into the closest matching development, or none. A story joins a development only when
it was published within the kind's `window` of the development's *first* story (the anchor
does not move, so a week of daily coverage cannot chain into one development), and

- both kinds tell what happened and are the same, or go together (one of the development's
  kinds `absorbs` the story's or the other way round: a verdict, the dismissal and the vow
  to appeal) on the day, or about the development's people within 36 hours of its latest
  story (always so when a kind is `per_person`: testimony recurs with every witness); and
  a story of a `per_person` kind names none but other people than the development, and a
  day or more after its first story names one of its people; or
- a kind tells nothing (unknown, or `weak`: "lawsuit" is in nearly every story) and the
  story names one of the development's people within 36 hours of its latest story, or came
  in its first hours of coverage (12 hours from its first story, or from its latest while
  that is within 36 hours of the first, but then naming one of its people if its kind is
  `per_person`) with no other numbers in its headline and not about other people than a
  `per_person` development; or
- its headline is near-identical to a member's in the same language (wire copies).

Of the developments a story may join, the closest in time wins, except that one it joins
by time alone loses to one that names its people, then to one it joins by kind or copied
headline; of those it joins by time alone, the one with the most stories wins. A roundup
(a kind marked `roundup`: a week in review, what to know) joins only by its people or a
copied headline, and otherwise goes to no development: it reports no event of its own.

A development's kind is its first story's, or, when that one told nothing, the kind of the
first story that tells what happened (`joined`).

Names are capitalised words inside a lede's sentences, in any language but those that
capitalise every noun (German); not the topic's own parties (its `require` terms: Musk,
OpenAI, Altman) nor their first names, not weekdays and months (see `bot.judge.evidence`). A
story and a development name the same person when a name of one's ledes is a name of the
other's or a word of its headlines (headlines capitalise anything, or nothing). A
development's people are its names and its witnesses: whom its `per_person` stories are
about ("Brockman testifies"; a party too), so a story naming others and never its witness
is about someone else; a story about one of its witnesses is never kept apart by the other
names its lede carries.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from rapidfuzz import fuzz, process

from bot.judge.evidence import NOUNS_CAPITALISED, names, words
from bot.judge.kinds import LEDE, KindFinder
from bot.models import DevelopmentView, Entry, Story
from bot.text import primary_language

log = logging.getLogger(__name__)

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
    parties: frozenset[str] = frozenset()  # the topic's parties its headline or lede mentions


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
    def headline_words(self) -> frozenset[str]:
        """Every word its stories' headlines carry (headlines capitalise anything, or nothing)."""
        return frozenset().union(*(m.title_words for m in self.members))

    @functools.cached_property
    def witnesses(self) -> frozenset[str]:
        """Whom its stories of a `per_person` kind are about."""
        return frozenset(m.witness for m in self.members if m.witness)

    @functools.cached_property
    def people(self) -> frozenset[str]:
        """Whom it is about: the names its ledes carry and its witnesses."""
        return self.names | self.witnesses

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
    """Where a story goes: a known development, a new one (None), or, for a roundup that
    joins none, no development at all (`aside`: kept and explained, never posted)."""

    development: int | None
    reason: str
    aside: bool = False


BY_TIME = "in its first hours of coverage"  # how a join on time alone begins its reason
NEAR_DUPLICATE = 0.85  # headline similarity (0-1) of two copies of one wire story


def features(story: Story, kinds: KindFinder | None = None) -> Features:
    """A stored story's features; its kind was found when it was stored. Without `kinds`
    (tests), no name is the topic's own and no story has a witness."""
    common = kinds.common if kinds else frozenset()
    title = words(story.title)
    language = primary_language(story.language or "")
    text = story.summary or story.content
    named = frozenset() if language in NOUNS_CAPITALISED else names(text, common)
    parties = common & (title | words(text[:LEDE]))
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
        parties=parties,
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
    told = kinds.telling(story.kind) and kinds.telling(development.kind)  # both kinds say what happened
    same = story.kind == development.kind
    if told and (same or any(kinds.together(story.kind, m.kind) for m in development.members)):
        if kinds.per_person(story.kind, development.kind) and (other := _someone_else(story, development)):
            why = other
        elif kinds.per_person(development.kind) and gap >= APART and not _same_people(story, development):
            why = f"names none of the {development.kind!r} development's people a day on"
        elif (
            not same
            and (gap >= APART or kinds.per_person(story.kind, development.kind))
            and not (_shared(story, development) and _recent(story, development))
        ):
            why = f"kind {story.kind!r} goes with {development.kind!r} on its day, or about its people"
        else:
            return True, f"{story.kind!r} story within the {development.kind!r} development's window"
    elif not told and (shared := _shared(story, development)):
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
    if (
        not told
        and not kinds.roundup(story.kind)
        and _first_hours(story, development, kinds)
        and not _counts_differ(story, development)
        and not (kinds.per_person(development.kind) and _someone_else(story, development))
    ):
        weaker = _weaker(story, development, kinds)
        return True, f"{BY_TIME}, and {weaker} tells nothing"
    copy = near_duplicate(story, development)
    return (True, copy) if copy else (False, why)


def _someone_else(story: Features, development: Development) -> str:
    """Why `story` is about other people than the development, or '': names in its lede,
    none in common, unless it is about one of the development's witnesses (a party's day
    on the stand, whose ledes name whichever lawyer questioned them). A party the
    development is about counts among its names: a story naming others and never that
    party reports someone else's day."""
    if story.witness in development.witnesses:
        return ""
    ours = story.names | ({story.witness} - {""})
    if ours and development.people and not _shared(story, development):
        return f"names {', '.join(sorted(ours)[:3])}, it {', '.join(sorted(development.people)[:3])}"
    return ""


def _shared(story: Features, development: Development) -> frozenset[str]:
    """The people `story` and `development` both name: a name of one's ledes (or a party one
    is about) that the other's ledes name or headlines carry, whatever their capitals."""
    theirs = development.people
    return (story.names & (theirs | development.headline_words)) | (
        (story.title_words | story.parties) & theirs
    )


def _beyond_time(
    story: Features, judged: list[tuple[Development, bool, str]]
) -> tuple[Development, bool, str]:
    """Of the developments `story` may join (`judged` closest first, the closest by time
    alone), the closest with more than time in common with it (its people first, then its
    kind or a copied headline), else the one with the most stories: of two events of the
    same hours, the bigger draws most of their coverage (the closest of equals)."""
    joins = [j for j in judged if j[1]]
    evidence = [j for j in joins if _shared(story, j[0])] or [
        j for j in joins if not j[2].startswith(BY_TIME)
    ]
    return evidence[0] if evidence else max(joins, key=lambda j: len(j[0].members))


def _evidence(story: Features, development: Development, kinds: KindFinder) -> bool:
    """Whether `story` may have more than time in common with `development`: its people, or
    the same kind of event when that kind tells what happened."""
    same_kind = bool(kinds.telling(story.kind)) and story.kind == development.kind
    return same_kind or bool(_shared(story, development))


def _same_people(story: Features, development: Development) -> bool:
    """Whether `story` names one of the development's people or is about its witness."""
    return bool(_shared(story, development)) or story.witness in development.witnesses


def _first_hours(story: Features, development: Development, kinds: KindFinder) -> bool:
    """Whether `story` came in the development's first hours of coverage: within APART of its
    first story, or of its latest while that is within FOLLOW_UP of the first (a burst that
    began the evening before), unless the development is a `per_person` kind's and the story
    names none of its people (the next morning may be the next witness's)."""
    gap = abs(story.published - development.first_published)
    if gap < APART:
        return True
    later = gap <= FOLLOW_UP and abs(story.published - development.latest) < APART
    return later and not (kinds.per_person(development.kind) and not _same_people(story, development))


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
    """The development `story` belongs to, or None for a new one: the closest in time it may
    join, unless it joins that one by time alone and another that names its people takes it
    too. The reason names the runner-up: the next closest development and why it lost.
    Candidates are judged closest first, and only until the answer and its runner-up are
    known (and those naming its people, when the answer is by time alone)."""
    by_gap = sorted(candidates, key=lambda d: (abs(story.published - d.first_published), d.id))
    judged: list[tuple[Development, bool, str]] = []
    for development in by_gap:
        judged.append((development, *_judge(story, development, kinds)))
        if len(judged) >= 2 and (judged[0][1] or judged[-1][1]):  # the answer and its runner-up
            break
    best = next((j for j in judged if j[1]), None)
    if best is not None and best[2].startswith(BY_TIME):
        judged += [
            (d, *_judge(story, d, kinds))
            for d in by_gap[len(judged) :]
            if _evidence(story, d, kinds) or _first_hours(story, d, kinds)
        ]
        best = _beyond_time(story, judged)
    others = [j for j in judged if j is not best]
    runner_up = ""
    if others:
        other, joins, why = others[0]
        gap = abs(story.published - other.first_published)
        verdict = "also fits, but further in time" if joins and best else why
        runner_up = f"; runner-up: development {other.id} ({_hours(gap)} away): {verdict}"
    if best is None and kinds.roundup(story.kind):
        reason = "a roundup naming no open development's people: kept, in no development"
        return Assignment(None, reason + runner_up, aside=True)
    if best is None:
        log.debug("story %d: new development (kind %r)", story.story_id, story.kind)
        return Assignment(None, f"new development, kind {story.kind or 'unknown'!r}{runner_up}")
    log.debug("story %d: development %d: %s", story.story_id, best[0].id, best[2])
    return Assignment(best[0].id, best[2] + runner_up)

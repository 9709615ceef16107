"""cluster: which development a story goes to when more than one would take it, and the
roundups that go to none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.config import Developments, EventKind, load_config
from bot.judge.cluster import Development, Features, assign, features
from bot.judge.kinds import KindFinder, common_names
from bot.models import Story
from tests.conftest import ROOT

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
DAY = timedelta(days=3)
KINDS = KindFinder(
    Developments(
        window=DAY,
        events=(
            EventKind("bid", ("bid", "offer*"), DAY),
            EventKind("testimony", ("testif*",), timedelta(days=1), per_person=True),
            EventKind("roundup", ("week two", "what to know"), DAY, roundup=True),
            EventKind("filing", ("lawsuit",), DAY, weak=True),
        ),
    ),
    common_names({"musk": ("musk",), "openai_side": ("openai", "altman")}),
)


def story(sid: int, title: str, hours: float, lede: str = "") -> Features:
    kind = KINDS.kind(title, lede)
    return features(Story(sid, title, "", lede, "", T0 + timedelta(hours=hours), "", "en", kind), KINDS)


def dev(did: int, *members: Features) -> Development:
    return Development(did, members[0].published, members[0].kind, members)


def test_a_roundup_is_told_by_its_headline_and_tells_nothing() -> None:
    assert KINDS.kind("Musk v. OpenAI, week two: what to know", "") == "roundup"
    # A lede may look back on the way to its news: the news is the story's kind, or none.
    assert KINDS.kind("Nadella testifies", "In week two of the trial...") == "testimony"
    assert KINDS.kind("A long day in court", "In week two of the trial...") == ""
    assert KINDS.telling("roundup") == "" and KINDS.roundup("roundup") and not KINDS.roundup("bid")


def test_a_roundup_joins_by_its_people_never_by_time_alone_and_never_starts_a_development() -> None:
    day = dev(1, story(1, "Nadella testifies in Musk's trial", 0, "The court heard Satya Nadella."))
    alone = assign(story(2, "Musk trial, week two: what to know", 2, "The trial went on."), [day], KINDS)
    assert alone.development is None and alone.aside
    assert alone.reason.startswith("a roundup naming no open development's people")
    nobody = assign(story(3, "Musk trial, week two", 1), [], KINDS)
    assert nobody.development is None and nobody.aside
    naming = story(4, "Musk trial, week two: what to know", 2, "Jurors heard Satya Nadella.")
    assert assign(naming, [day], KINDS).development == 1
    news = assign(story(5, "Bid news", 2, "Musk made an offer."), [], KINDS)
    assert news.development is None and not news.aside  # other stories still start developments


def test_a_story_of_a_telling_kind_goes_to_its_kind_rather_than_closer_by_time_alone() -> None:
    """The bid's coverage: a story of unknown kind opened a second development an hour later;
    a bid story after both goes to the bid, not to the closer one it joins by time alone."""
    bid = dev(1, story(1, "Musk makes a bid for OpenAI", 0))
    vague = dev(2, story(2, "Musk and Altman feud grows", 1))
    chosen = assign(story(3, "Altman turns down Musk's bid", 2), [bid, vague], KINDS)
    assert chosen.development == 1
    assert chosen.reason.startswith("'bid' story within the 'bid' development's window")


def test_of_the_developments_a_story_joins_by_time_alone_the_biggest_takes_it() -> None:
    """Of two events of the same hours, the bigger draws most of their coverage; a story that
    tells neither goes there, not to whichever began closer to it."""
    big = dev(1, *(story(n, f"Musk and OpenAI in court, part {w}", n) for n, w in enumerate("abc", 1)))
    small = dev(2, story(9, "Musk's feud with Altman grows", 4))
    vague = story(10, "What the jury heard", 5)
    assert assign(vague, [big, small], KINDS).development == 1
    assert assign(vague, [dev(1, big.members[0]), small], KINDS).development == 2  # equals: the closer


def test_the_shipped_roundup_kind_reads_roundups_in_six_languages() -> None:
    shipped = KindFinder.for_topic(load_config(ROOT / "feeds.yaml").topic)
    for title in (
        "Musk vs OpenAI trial enters second week",
        "Musk v. OpenAI: key takeaways so far",
        "Procès Musk contre OpenAI : ce qu'il faut savoir",
        "Musk gegen OpenAI: Was man wissen muss",
        "Juicio de Musk contra OpenAI: lo que hay que saber",
        "Processo Musk contro OpenAI: cosa sapere",
        "Entenda o processo de Musk contra a OpenAI",
    ):
        assert shipped.kind(title, "") == "roundup", title
    assert shipped.kind("Takeaways from Brockman's testimony", "") == "testimony"  # news first

"""cluster: the pure same-development decision."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.config import Developments, EventKind, load_config
from bot.judge.cluster import Development, Features, assign, features, joined, near_duplicate
from bot.judge.evidence import names, witness, words
from bot.judge.kinds import KindFinder, common_names
from bot.judge.match import TermSet
from bot.models import Story
from tests.conftest import ROOT

T0 = datetime(2025, 2, 10, 18, 0, tzinfo=UTC)
COMMON = common_names({"musk": ("musk", "musks"), "openai_side": ("openai", "altman", "brockman")})
KINDS = KindFinder(
    Developments(
        window=timedelta(days=3),
        events=(
            EventKind("countersuit", ("countersu*",), timedelta(days=3), absorbs=("filing",)),
            EventKind("withdrawal", ("withdraw*", "drops"), timedelta(days=3)),
            EventKind("bid", ("bid", "offer*", "offre*"), timedelta(days=3)),
            EventKind("testimony", ("testif*",), timedelta(days=1), per_person=True),
            EventKind("deposition", ("depos*",), timedelta(days=3), absorbs=("testimony",)),
            EventKind("filing", ("sue", "sues", "lawsuit", "klagt"), timedelta(days=3), weak=True),
        ),
    ),
    COMMON,
)


def story(sid: int, title: str, hours: float = 0, lang: str = "en", text: str = "") -> Features:
    kind = KINDS.kind(title, text)
    return features(Story(sid, title, "", text, "", T0 + timedelta(hours=hours), "", lang, kind), KINDS)


def dev(did: int, *members: Features) -> Development:
    return Development(did, members[0].published, members[0].kind, members)


def test_kind_comes_from_the_headline_first_then_the_text_in_priority_order() -> None:
    assert KINDS.kind("OpenAI countersues Musk", "") == "countersuit"
    assert KINDS.kind("Musk drops lawsuit against OpenAI", "") == "withdrawal"  # before filing
    assert KINDS.kind("Two hours in Oakland", "Musk offered $97.4 billion.") == "bid"
    assert KINDS.kind("Two hours in Oakland", "Nothing of note.") == ""
    # "lawsuit" in the headline tells nothing; the text's testimony does
    assert KINDS.kind("The latest in Musk's lawsuit", "Altman testified for hours.") == "testimony"
    assert KINDS.kind("The latest in Musk's lawsuit", "Nothing of note.") == "filing"


def test_same_kind_within_the_window_joins_across_languages() -> None:
    bid = dev(1, story(1, "Musk-led group makes $97.4 billion bid for OpenAI"))
    assert (
        assign(story(2, "Musk offre 97,4 milliards pour racheter OpenAI", 20, "fr"), [bid], KINDS).development
        == 1
    )


def test_the_window_is_anchored_on_the_first_story() -> None:
    bid = dev(1, story(1, "Musk makes bid for OpenAI"), story(2, "Musk bid, day two", 60))
    assert assign(story(3, "Another Musk bid story", 80), [bid], KINDS).development is None
    assert assign(story(4, "Another Musk bid story", 70), [bid], KINDS).development == 1


def test_a_kind_may_have_its_own_window() -> None:
    testimony = dev(1, story(1, "Altman testifies in Musk trial"))
    assert assign(story(2, "Brockman testifies in Musk trial", 30), [testimony], KINDS).development is None
    assert assign(story(3, "Altman testified for hours", 20), [testimony], KINDS).development == 1


def test_different_kinds_stay_apart_even_in_the_same_week() -> None:
    bid = dev(1, story(1, "Musk makes $97.4 billion bid for OpenAI"))
    assert assign(story(2, "Musk drops lawsuit against OpenAI", 30), [bid], KINDS).development is None


def test_a_kind_absorbs_the_kinds_it_names() -> None:
    countersuit = dev(1, story(1, "OpenAI countersues Elon Musk"))
    assert assign(story(2, "OpenAI klagt gegen Musk", 10, "de"), [countersuit], KINDS).development == 1
    filing = dev(2, story(3, "Musk sues OpenAI"))
    assert assign(story(4, "OpenAI countersues Elon Musk", 30), [filing], KINDS).development is None
    # What the store is asked for: developments of these kinds (a weak kind joins by time instead).
    assert KINDS.joinable("countersuit") == ("countersuit",) and KINDS.joinable("filing") == ()


def test_kinds_that_tell_nothing_join_within_12_hours_and_later_only_as_copies() -> None:
    wire = dev(1, story(1, "Jury in Oakland hears closing arguments in Musk case"))
    same_day = story(3, "Oakland jury is told to reach a decision in Musk case", 3)
    assert "tells nothing" in assign(same_day, [wire], KINDS).reason
    assert assign(same_day, [wire], KINDS).development == 1
    copy = story(2, "Jury in Oakland hears closing arguments in Musk's case", 14)
    other = story(4, "Oakland jury is told to reach a decision in Musk case", 14)
    assert assign(copy, [wire], KINDS).development == 1
    assert assign(other, [wire], KINDS).development is None
    assert (
        assign(
            story(5, copy_title := "Jury in Oakland hears closing arguments in Musk case", 14, "fr"),
            [wire],
            KINDS,
        ).development
        is None
    ), copy_title  # a copy in another language is not a copy
    sued = dev(2, story(6, "Musk sues OpenAI again"))  # "sues": a weak kind, tells nothing
    assert assign(story(7, "Musk case: what the filing says", 2), [sued], KINDS).development == 2


def test_a_burst_that_began_the_evening_before_keeps_its_next_morning() -> None:
    """The first hours of coverage run from the first story, or from the latest while that is
    within a day of the first: an outlet early the evening before does not split the burst."""
    early = story(1, "Jury in Oakland hears closing arguments in Musk case")
    burst = dev(1, early, story(2, "Jury in Oakland hears closing arguments in Musk's case", 14))
    morning = story(3, "Oakland jury is told to reach a decision in Musk case", 20)
    assert "first hours" in assign(morning, [burst], KINDS).reason
    assert assign(morning, [burst], KINDS).development == 1
    assert (
        assign(story(4, "Oakland jury is told to reach a decision", 26), [burst], KINDS).development is None
    )
    assert (
        assign(story(5, "Oakland jury is told to reach a decision", 20), [dev(2, early)], KINDS).development
        is None
    )


def test_different_numbers_are_different_events() -> None:
    day1 = story(1, "Musk v. OpenAI trial: what happened on day 1")
    day4 = story(2, "Musk v. OpenAI trial: what happened on day 4")
    assert near_duplicate(day4, dev(1, day1)) == ""
    assert near_duplicate(day4, dev(1, story(3, "Musk v. OpenAI trial: what happened on day 4!"))) != ""
    assert assign(day4, [dev(1, day1)], KINDS).development is None


def test_closest_development_wins() -> None:
    early = dev(1, story(1, "Musk makes bid for OpenAI", 0))
    late = dev(2, story(2, "Musk raises bid for OpenAI", 60))
    assert assign(story(3, "Bid news", 50), [early, late], KINDS).development == 2


def test_words_fold_and_drop_function_words() -> None:
    assert words("L'affaire Musk's $97,4 milliards: the trial") == {
        "affaire",
        "musk",
        "97.4",
        "milliards",
        "trial",
    }


def named(sid: int, title: str, lede: str, hours: float, lang: str = "en") -> Features:
    kind = KINDS.kind(title, lede)
    return features(Story(sid, title, "", lede, "", T0 + timedelta(hours=hours), "", lang, kind), KINDS)


def test_names_come_from_inside_sentences_without_the_topic_s_own_parties() -> None:
    lede = "On Monday the court heard Satya Nadella, as Musk and Altman watched; then Russell spoke."
    assert names(lede, COMMON) == {"satya", "nadella", "russell"}  # not Monday, Musk, Altman, "On"


def test_a_per_person_kind_about_other_people_stays_apart_even_on_one_day() -> None:
    """Two witnesses, on consecutive trial days or on one: both 'testimony', within the window."""
    day_one = dev(
        1, named(1, "Nadella testifies in Musk's OpenAI trial", "The court heard Satya Nadella.", 0)
    )
    next_day = named(2, "Altman testifies in Musk trial", "The court heard Shivon Zilis on the board.", 20)
    assert assign(next_day, [day_one], KINDS).development is None
    same_people = named(3, "Nadella testifies again", "Satya Nadella returned to the stand.", 20)
    assert assign(same_people, [day_one], KINDS).development == 1
    same_day = named(4, "Altman testifies in Musk trial", "The court heard Shivon Zilis.", 4)
    assert assign(same_day, [day_one], KINDS).development is None
    nameless = named(5, "Testimony in Musk trial runs late", "The court sat until seven.", 4)
    assert assign(nameless, [day_one], KINDS).development == 1  # naming no one is no clash


def test_the_morning_after_a_witness_day_needs_the_witness_named() -> None:
    """A witness's development keeps its first 12 hours for any story, but the burst's next
    morning may be the next witness's: a story naming no one does not join it then."""
    nadella = named(1, "Nadella testifies in Musk's OpenAI trial", "The court heard Satya Nadella.", 0)
    evening = named(2, "Nadella testified for hours", "Satya Nadella was questioned at length.", 14)
    day = dev(1, nadella, evening)
    assert assign(named(3, "What the jury heard", "The court sat late.", 10), [day], KINDS).development == 1
    assert (
        assign(named(4, "What the jury heard", "The court sat late.", 20), [day], KINDS).development is None
    )
    named_again = named(5, "What the jury heard", "The court heard Satya Nadella again.", 20)
    assert assign(named_again, [day], KINDS).development == 1


def test_the_witness_stands_before_the_testimony_term() -> None:
    """A party testifies too: the witness is one of the parties or the lede's names, right
    before the term; a verb there tells nobody's."""
    terms = TermSet.build(("testif*", "testimon*", "on the stand", "zeugenaussage*"))
    people = COMMON | {"nadella"}
    assert witness("elon musk's testimony turned to money", terms, people) == "musk"
    assert witness("satya nadella to testify in musk trial", terms, people) == "nadella"
    assert witness("musks zeugenaussage", terms, people) == "musk"
    assert witness("sam altman was winning on the stand", terms, people) == ""
    assert witness("no term here at all", terms, people) == ""


def test_one_witness_s_day_stays_whole_whoever_its_ledes_name() -> None:
    """Musk's day on the stand: one lede names his lawyer, another the judge; both are
    about Musk, so the names do not split it."""
    first = named(1, "Elon Musk testifies in OpenAI trial", "He was questioned by Marc Toberoff.", 0)
    other = named(2, "Musk testifies for a second hour", "It was stopped by Judge Gonzalez.", 3)
    assert first.witness == other.witness == "musk"
    assert assign(other, [dev(1, first)], KINDS).development == 1
    zilis = named(3, "Shivon Zilis testifies in OpenAI trial", "It was stopped by Judge Gonzalez.", 3)
    assert assign(zilis, [dev(1, first)], KINDS).development is None  # no witness, other names


def test_a_kind_that_happens_once_joins_whoever_its_ledes_name() -> None:
    """A withdrawal is one event: a lede naming the state court's place and one naming a
    company in the news that day report the same withdrawal."""
    first = dev(
        1, named(1, "Musk withdraws lawsuit against OpenAI", "He moved to dismiss it in California.", 0)
    )
    later = named(
        2, "Musk drops lawsuit a day after criticising OpenAI", "It comes after his remarks on Apple.", 24
    )
    assert assign(later, [first], KINDS).development == 1


def test_a_story_of_unknown_kind_joins_the_development_naming_its_people() -> None:
    trial = dev(1, named(1, "Nadella testifies in Musk's OpenAI trial", "The court heard Satya Nadella.", 0))
    follow_up = named(2, "Ce que le patron de Microsoft a dit", "Selon Nadella, the deal was fair.", 18, "fr")
    assert follow_up.kind == ""
    found = assign(follow_up, [trial], KINDS)
    assert found.development == 1 and "nadella" in found.reason
    stranger = named(3, "What the chief said", "According to Zilis, the deal was fair.", 18)
    assert assign(stranger, [trial], KINDS).development is None
    too_late = named(4, "What the Microsoft chief said", "According to Nadella, it was fair.", 60)
    assert assign(too_late, [trial], KINDS).development is None


def test_german_nouns_and_the_parties_first_names_are_not_names() -> None:
    german = named(1, "Prozess", "Das Gericht hat am Montag die Klage von Shivon Zilis gehört.", 0, "de")
    assert german.names == frozenset()
    english = named(2, "Trial", "The court heard Greg Brockman, then Shivon Zilis.", 0)
    assert english.names == {"shivon", "zilis"}


def test_a_development_takes_the_kind_of_the_first_story_that_tells_what_happened() -> None:
    """Opened by a story that only says "lawsuit", it is a testimony once one says so; the
    next day's testimony coverage then joins it by kind."""
    vague = dev(1, story(1, "Musk lawsuit: the day in court"))
    said = story(2, "Altman testifies in Musk trial", 2)
    assert assign(said, [vague], KINDS).development == 1
    grown = joined(vague, said, 24, KINDS)
    assert grown.kind == "testimony" and len(grown.members) == 2
    assert assign(story(3, "Altman testifies, day two of his cross", 20), [grown], KINDS).development == 1
    assert joined(grown, story(4, "Musk sues OpenAI", 3), 24, KINDS).kind == "testimony"  # kept


def test_a_verdict_the_dismissal_and_the_vow_to_appeal_on_one_day_are_one_development() -> None:
    kinds = KindFinder(
        Developments(
            window=timedelta(days=3),
            events=(
                EventKind("verdict", ("jury rejects",), timedelta(days=3), absorbs=("ruling", "appeal")),
                EventKind("appeal", ("appeal*",), timedelta(days=3)),
                EventKind("ruling", ("throws out",), timedelta(days=3)),
            ),
        )
    )

    def told(sid: int, title: str, hours: float) -> Features:
        when = T0 + timedelta(hours=hours)
        return features(Story(sid, title, "", "", "", when, "", "en", kinds.kind(title, "")))

    appeal = dev(1, told(1, "Musk vows to appeal", 0))  # the first story of the day
    verdict = told(2, "Jury rejects Musk's claims against OpenAI", 2)
    assert assign(verdict, [appeal], kinds).development == 1
    day = joined(appeal, verdict, 24, kinds)
    assert assign(told(3, "Judge throws out Musk's case", 4), [day], kinds).development == 1
    assert assign(told(3, "Judge throws out Musk's case", 4), [appeal], kinds).development is None
    later = assign(told(4, "Judge throws out Musk's request for a new trial", 40), [day], kinds)
    assert later.development is None and "on its day" in later.reason
    assert kinds.joinable("ruling") == ("verdict", "ruling")  # what the store is asked for


def test_a_verdict_day_in_many_words_and_languages_is_one_development_with_the_shipped_kinds() -> None:
    """The day of a major ruling: "rejects", "dismissed", "loses", "vows to appeal", "statute
    of limitations", in three languages, over an afternoon: one development, not six."""
    topic = load_config(ROOT / "feeds.yaml").topic
    kinds = KindFinder.for_topic(topic)
    day = [
        ("Musk vows to appeal after losing his case against OpenAI", "en"),
        ("Jury rejects Elon Musk's claims against OpenAI and Sam Altman", "en"),
        ("Judge dismisses Musk's lawsuit against OpenAI after the jury's finding", "en"),
        ("Musk loses bid to hold OpenAI liable", "en"),
        ("Musk filed too late: statute of limitations sinks his case against OpenAI", "en"),
        ("Musk verliert Prozess gegen OpenAI", "de"),
        ("Musk perd son procès contre OpenAI", "fr"),
    ]
    developments: list[Development] = []
    for sid, (title, lang) in enumerate(day):
        when = T0 + timedelta(hours=sid)
        story = features(Story(sid, title, "", "", "", when, "", lang, kinds.kind(title, "")), kinds)
        found = assign(story, developments, kinds).development
        if found is None:
            developments.append(Development(len(developments), when, story.kind, (story,)))
        else:
            developments[found] = joined(developments[found], story, 24, kinds)
    assert len(developments) == 1, [(d.kind, [m.story_id for m in d.members]) for d in developments]


def test_a_story_naming_others_and_never_the_development_s_witness_is_someone_else_s() -> None:
    """Brockman's day on the stand (a party: no name of its ledes says so, its witness does):
    a story of the same hours naming only another witness is not his, by time or by kind;
    one naming his questioner and him is."""
    brockman = named(1, "Greg Brockman testifies in Musk trial", "Brockman took the stand.", 0)
    assert brockman.witness == "brockman" and brockman.names == frozenset()
    day = dev(1, brockman)
    expert = named(2, "AGI arms race fears in court", "The court heard Stuart Russell.", 2)
    assert expert.kind == "" and assign(expert, [day], KINDS).development is None
    testified = named(3, "Expert testifies on AGI race", "The court heard Stuart Russell.", 2)
    assert assign(testified, [day], KINDS).development is None
    questioned = named(4, "A long day in court", "Steven Molo questioned Brockman for hours.", 2)
    assert assign(questioned, [day], KINDS).development == 1


def test_a_name_of_one_lede_matches_a_word_of_the_other_s_headlines() -> None:
    """Headlines capitalise anything or nothing: "stuart russell warns court" names Russell
    for a story whose lede does."""
    headline_only = dev(1, named(1, "stuart russell warns court of agi race", "", 0))
    lede = named(2, "The expert's view", "The court heard Stuart Russell again.", 20)
    found = assign(lede, [headline_only], KINDS)
    assert found.development == 1 and "russell" in found.reason


def test_a_witness_development_a_day_on_takes_only_stories_of_its_people() -> None:
    """The next day's testimony naming no one may be the next witness's: it starts anew."""
    nadella = dev(
        1, named(1, "Nadella testifies in Musk's OpenAI trial", "The court heard Satya Nadella.", 0)
    )
    nameless = named(2, "Next witness testifies in Musk trial", "The court sat early.", 20)
    found = assign(nameless, [nadella], KINDS)
    assert found.development is None and "none of the 'testimony' development's people" in found.reason
    again = named(3, "Next witness testifies in Musk trial", "Satya Nadella was back.", 20)
    assert assign(again, [nadella], KINDS).development == 1


def test_a_deposition_joins_testimony_about_the_same_person_only() -> None:
    """A deposition shown at trial and the testimony it is: one development when about the
    same person, also the next day; another witness's testimony the same day is not it."""
    murati = dev(
        1, named(1, "Mira Murati's deposition reveals doubts", "A video of Mira Murati was shown.", 0)
    )
    assert murati.kind == "deposition"
    other = named(2, "Zilis testifies in Musk trial", "Shivon Zilis took the stand.", 2)
    assert assign(other, [murati], KINDS).development is None
    nameless = named(3, "A witness testifies in Musk trial", "A long day in court.", 2)
    assert assign(nameless, [murati], KINDS).development is None
    next_day = named(4, "Murati testifies under oath", "Mira Murati said she was misled.", 22)
    assert assign(next_day, [murati], KINDS).development == 1


def test_a_story_joining_by_time_alone_goes_to_the_development_naming_its_people() -> None:
    """A headline naming yesterday's expert, on a day another witness opened: it fits today's
    by time alone, yesterday's by its people; the people win."""
    yesterday = dev(1, named(1, "Expert warns court", "The court heard Stuart Russell.", -20))
    today = dev(2, named(2, "Brockman testifies in Musk trial", "Brockman took the stand.", 0))
    follow_up = named(3, "openai trial agi race stuart russell", "", 2)
    assert follow_up.kind == "" and follow_up.names == frozenset()
    assert assign(follow_up, [today], KINDS).development == 2  # alone, by time
    found = assign(follow_up, [yesterday, today], KINDS)
    assert found.development == 1 and "russell" in found.reason


def test_the_shipped_kinds_read_words_in_their_sense() -> None:
    """French "a déposé plainte" (filed a complaint) folds to "depose": not a deposition; a
    company's "internal deliberations" are not the jury's."""
    kinds = KindFinder.for_topic(load_config(ROOT / "feeds.yaml").topic)
    assert kinds.kind("Musk a déposé plainte contre OpenAI", "") != "deposition"
    assert kinds.kind("Altman is fighting to depose Musk's wealth manager", "") == "deposition"
    assert kinds.kind("Elon Musk deposes ex-OpenAI CTO Murati", "") == "deposition"
    assert kinds.kind("Unsealed documents reveal internal deliberations", "") != "deliberation"
    assert kinds.kind("Jurors deliberated for two hours in Musk v. OpenAI", "") == "deliberation"

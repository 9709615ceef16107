"""What a story's text tells clustering: its content words, the people its lede names, and
the witness a testimony story is about.

Pure; imports only `bot.text` and `bot.judge.match`. Every pattern here is linear (fixed-width
look-behinds, one character class per repetition), as it reads feed text.
"""

from __future__ import annotations

import functools
import re

from bot.judge.match import TermSet
from bot.text import fold

# Function words of the six languages; they say nothing about which event a text reports.
STOPWORDS = frozenset(
    """
    the a an and or of to in on for with by at from as is are was were be been has have had its
    it this that their his her he she they them after before over about into than not but also
    who which what when said says will would could can new more its just out up how why
    le la les un une des du de et ou en au aux pour par sur dans que qui est sont a ete son sa
    ses ce cette il elle ils plus pas avec contre selon
    der die das den dem des ein eine einen einem und oder zu im in am an auf fur mit von vor
    nach ist sind hat haben wird wurde nicht auch sich er sie es gegen uber bei aus
    el los las del al y o por para con sin sobre que es son ha han fue se su sus lo contra
    il lo gli uno una dei degli delle della di da per con su che e sono ha hanno non si
    o os as um uma dos das do da no na nos nas para com sem que foi sao tem seu sua ao
    """.split()
)
_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[^\W\d_][\w'’-]*")
# A capitalised word inside a sentence (after a lower-case word or a comma): a name, in
# sentence-case ledes. A fixed-width look-behind and one character class: linear.
_NAME = re.compile(r"(?<=[a-zà-ÿ,;:] )([A-ZÀ-Ý][a-zà-ÿ]+)\b(?![A-Z])")
_NEXT_WORD = re.compile(r" ([A-ZÀ-Ý][\w'’-]{0,40})")  # the capitalised word right after a name
CALENDAR = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december lundi mardi mercredi jeudi vendredi
    samedi dimanche janvier fevrier mars avril juin juillet aout septembre octobre novembre
    decembre montag dienstag mittwoch donnerstag freitag samstag sonntag januar februar marz
    juni juli oktober dezember lunes martes miercoles jueves viernes sabado domingo enero
    febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre lunedi
    martedi mercoledi giovedi venerdi sabato domenica gennaio febbraio aprile maggio giugno
    luglio settembre ottobre dicembre segunda terca quarta quinta sexta janeiro fevereiro
    marco maio junho julho setembro outubro novembro dezembro
    """.split()
)
_APOSTROPHE = re.compile(r"['’]")


@functools.lru_cache(maxsize=20_000)  # the same candidates' headlines come back for every new story
def words(text: str) -> frozenset[str]:
    """Folded content words and numbers, elisions and possessives cut off ("l'affaire",
    "musk's"); numbers keep their decimal point ("97,4" and "97.4" are one)."""
    found = set()
    for token in _TOKEN.findall(fold(text)):
        if token[0].isdigit():
            found.add(token.replace(",", "."))
            continue
        word = max(_APOSTROPHE.split(token), key=len).strip("-")
        if len(word) > 2 and word not in STOPWORDS:
            found.add(word)
    return frozenset(found)


@functools.lru_cache(maxsize=20_000)
def names(text: str, common: frozenset[str] = frozenset()) -> frozenset[str]:
    """The names a lede mentions inside its sentences, folded; not the `common` ones (the
    topic's own parties) nor their first names ("Greg" of "Greg Brockman"), not weekdays or
    months, not words under four letters."""
    found = set()
    for match in _NAME.finditer(text[:2000]):
        word = _APOSTROPHE.split(fold(match.group(1)))[0]
        after = _NEXT_WORD.match(text, match.end())
        surname = _APOSTROPHE.split(fold(after.group(1)))[0] if after else ""
        if len(word) >= 4 and word not in common and word not in CALENDAR and surname not in common:
            found.add(word)
    return frozenset(found)


# Languages that capitalise every noun: a capital says nothing of a name there.
NOUNS_CAPITALISED = frozenset({"de", "lb"})

WITNESS_REACH = 2  # words before a testimony term where its witness stands ("Nadella to testify")
_WORD = re.compile(r"[^\W\d_]{3,}")


def witness(folded: str, terms: TermSet, people: frozenset[str]) -> str:
    """Who a testimony story is about: of the `WITNESS_REACH` words before the first of the
    kind's `terms` in the folded text, the nearest that is one of `people` (the topic's own
    parties, who testify too, and the names its lede carries); '' when none is. "Elon Musk's
    testimony" is Musk's, "Sam Altman was winning on the stand" tells nobody's."""
    found = terms.pattern.search(folded) if terms.pattern else None
    if found is None:
        return ""
    before: list[str] = _WORD.findall(folded, max(0, found.start() - 80), found.start())
    for word in reversed(before[-WITNESS_REACH:]):
        if word.endswith("s") and word[:-1] in people:  # "Musks Zeugenaussage" is Musk's
            return word[:-1]
        if word in people:
            return word
    return ""

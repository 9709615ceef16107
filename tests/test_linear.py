"""Every regex that sees feed or page text is linear: inputs that took minutes before (a
run of capitals against the dateline, openers that never close) now take milliseconds.

The bound is generous (5 s) so that it catches a hang, not a slow machine."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from types import ModuleType

import pytest

from bot import text
from bot.config import load_config
from bot.delivery import render
from bot.intake import docket, gnews, parse, urls
from bot.judge import cluster, evidence, match
from bot.prose import summarize
from bot.prose.summarize import clean
from bot.text import strip_html
from tests.conftest import ROOT

BOUND = 5.0  # seconds; the slow forms took from 15 s to many minutes on these inputs
N = 64 * 1024


def _quick(work: Callable[[], object]) -> None:
    start = time.perf_counter()
    work()
    assert time.perf_counter() - start < BOUND


# Each input made one of the old patterns backtrack: before the fix, in brackets.
CASES = {
    "dateline: capitals": "A" * 3000 + " x",  # n^5 on _DATELINE (120 capitals: 15 s)
    "dateline: capital words": "AB " * 3000 + "x",
    "comment openers": "<!--" * (N // 4),  # quadratic in strip_html (64 KB: 4 s)
    "script openers": "<script>" * (N // 8),  # quadratic in strip_html
    "tag openers": "<a" * (N // 2),  # quadratic on summarize._TAG
    "photo credits": "(photo " * (N // 7),  # quadratic on summarize._CREDIT
    "break openers": "<p" * (N // 2) + "<b>",
    "stops and quotes": "." + ")" * N + "x",
    "spaces": "a" + " " * N + "b",
    "byline": "By " + "Ab " * (N // 3),
    "scheme runs": "ab+" * (N // 3) + ":/",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_cleaning_and_summarising_stay_linear(name: str) -> None:
    value = CASES[name]
    _quick(lambda: strip_html(value))
    _quick(lambda: clean(value))
    _quick(lambda: summarize.summarize("Musk v. OpenAI", value, 500))


def test_a_book_length_text_is_summarised_from_its_start() -> None:
    """Centrality is quadratic in sentences: 50,000 of them took hours before the text cap."""
    book = " ".join(f"Sentence number {i} says the trial of Musk and OpenAI went on." for i in range(50_000))
    _quick(lambda: summarize.summarize("Musk v. OpenAI", book, 500))


def test_the_dateline_still_comes_off() -> None:
    for opening in ("SAN FRANCISCO (Reuters) - ", "OAKLAND, Calif. - ", "Oakland (dpa) - ", "PARIS — "):
        assert clean(opening + "The jury found for OpenAI.") == ["The jury found for OpenAI."], opening


def test_unclosed_comments_and_scripts_hide_the_rest() -> None:
    assert strip_html("kept<!-- open") == "kept"
    assert strip_html("kept<script>x = 1 <b>") == "kept"
    assert strip_html("a<!-- x -->b<SCRIPT src=x>1</script >c") == "abc"


def _patterns(module: ModuleType) -> list[re.Pattern[str]]:
    found = [v for v in vars(module).values() if isinstance(v, re.Pattern)]
    found += [v for d in vars(module).values() if isinstance(d, dict) for v in d.values()]
    return [p for p in found if isinstance(p, re.Pattern) and isinstance(p.pattern, str)]


def test_every_module_pattern_is_linear_on_hostile_text() -> None:
    """A sweep of every compiled pattern of the modules that read feed or page text."""
    modules = (cluster, docket, evidence, gnews, match, parse, render, summarize, text, urls)
    patterns = [p for m in modules for p in _patterns(m)]
    shipped = match.Rules.from_topic(load_config(ROOT / "feeds.yaml").topic)
    patterns += [p for p in (shipped.anywhere, *(ts.pattern for _, ts in shipped.require)) if p is not None]
    assert len(patterns) > 15
    for pattern in patterns:
        for value in CASES.values():
            _quick(functools.partial(_exercise, pattern, value))


def _exercise(pattern: re.Pattern[str], value: str) -> None:
    pattern.search(value)
    pattern.sub("", value)
    pattern.split(value)

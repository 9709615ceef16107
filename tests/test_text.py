"""text: HTML stripping, folding and cutting."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.text import cut, first_sentence, fold, printable, strip_html


def test_strip_html() -> None:
    assert strip_html("<p>One</p><p>two &amp; three</p>") == "One two & three"
    assert strip_html("a<script>x()</script>b") == "ab"
    assert strip_html("&lt;b&gt;bold&lt;/b&gt; text") == "bold text"  # escaped HTML in HTML
    assert strip_html("plain   text\n") == "plain text"
    assert strip_html("5 < 6 and 7 > 3") == "5 < 6 and 7 > 3"


def test_fold_ignores_case_and_accents() -> None:
    assert fold("Procès DÉLIBÈRE Gerichtsstraße") == "proces delibere gerichtsstrasse"


def test_cut_prefers_sentence_then_word_boundaries() -> None:
    text = "First sentence here. Second sentence is much longer than the first one."
    assert cut(text, 40) == "First sentence here."
    assert cut("word " * 20, 23) == "word word word word…"
    assert cut("short", 10) == "short"
    assert first_sentence("Jury out. Verdict soon.") == "Jury out."
    assert first_sentence("Sutskever testified at the Musk v. Altman trial. More.") == (
        "Sutskever testified at the Musk v. Altman trial."
    )  # "v." ends no sentence


@given(st.text(), st.integers(min_value=1, max_value=600))
def test_cut_never_exceeds_the_limit(text: str, limit: int) -> None:
    assert len(cut(text, limit)) <= limit


def test_printable_shows_terminal_controls_instead_of_obeying_them() -> None:
    hostile = "Feed\x1b]0;pwned\x07 \x1b[2J\rname \u202eevil\x9b"
    shown = printable(hostile)
    assert "\x1b" not in shown and "\r" not in shown and "\u202e" not in shown and "\x9b" not in shown
    assert shown == "Feed\\x1b]0;pwned\\x07 \\x1b[2J\\rname \\u202eevil\\x9b"
    assert printable("Procès — ok\n\tnext") == "Procès — ok\n\tnext"

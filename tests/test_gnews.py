"""Google News links read purely: ids, offline URLs, the page's signature, the decoder's
request and its answer as hostile input."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from hypothesis import given
from hypothesis import strategies as st

from bot.intake import gnews
from tests.support import google

PUBLISHER = "https://www.reuters.com/legal/musk-openai-jury-2026-05-18/"


def test_an_article_id_is_read_from_any_of_google_s_article_paths() -> None:
    for path in ("rss/articles", "articles", "read"):
        assert gnews.article_id(f"https://news.google.com/{path}/CBMiABC?oc=5") == "CBMiABC"
    assert gnews.article_id("https://news.google.com/rss/search?q=musk") == ""
    assert gnews.article_id("https://www.reuters.com/rss/articles/CBMiABC") == ""
    assert gnews.article_id("https://news.google.com/rss/articles/A/B") == ""
    assert gnews.article_id("http://127.0.0.1:8000/rss/articles/X", hosts=("127.0.0.1:8000",)) == "X"


def test_an_old_id_holds_its_publisher_url_and_a_new_one_needs_the_decoder() -> None:
    old = google.old_id(PUBLISHER)
    assert gnews.offline_url(old) == PUBLISHER and not gnews.needs_decoder(old)
    amp = google.article_id(PUBLISHER.encode(), b"\xd2\x01\x15https://amp.example/x")
    assert gnews.offline_url(amp) == PUBLISHER  # the AMP URL after it is not the publisher's
    new = google.new_id(1)
    assert gnews.offline_url(new) == "" and gnews.needs_decoder(new)
    assert gnews.offline_url(google.old_id("javascript:alert(1)")) == ""
    assert gnews.offline_url("not base64 at all!") == "" and not gnews.needs_decoder("%%%")


def test_the_signature_is_read_from_the_article_page() -> None:
    assert gnews.signature(google.article_page("sig-1", 1747575840)) == gnews.Signed("sig-1", 1747575840)
    assert gnews.signature(b"<html>We're sorry...</html>") is None
    assert gnews.signature(b'data-n-a-sg="' + b"x" * 5000 + b'" data-n-a-ts="1"') is None


def test_one_decoder_request_asks_for_every_id_and_the_answer_is_matched_by_request_id() -> None:
    ids = [google.new_id(n) for n in range(3)]
    form = gnews.decoder_form([(i, gnews.Signed(f"s{n}", n)) for n, i in enumerate(ids)])
    envelopes = json.loads(parse_qs(form)["f.req"][0])[0]
    assert [json.loads(e[1])[2] for e in envelopes] == ids and [e[3] for e in envelopes] == ["1", "2", "3"]
    answer = google.answer({ids[0]: PUBLISHER, ids[2]: "https://lemonde.fr/a"}, form.encode())
    assert gnews.decoded(answer, ids) == {ids[0]: PUBLISHER, ids[2]: "https://lemonde.fr/a"}


def test_a_hostile_answer_gives_nothing_it_should_not() -> None:
    ids = [google.new_id(1)]
    bad = [
        b"",
        b")]}'\n\n[[",
        b")]}'\n\n"
        + json.dumps(
            [["wrb.fr", "Fbv4je", json.dumps(["garturlres", "javascript:x", 1]), 0, 0, 0, "1"]]
        ).encode(),
        b")]}'\n\n"
        + json.dumps([["wrb.fr", "Fbv4je", json.dumps(["garturlres", PUBLISHER, 1]), 0, 0, 0, "9"]]).encode(),
        b")]}'\n\n" + json.dumps([["wrb.fr", "Fbv4je", "{not json", 0, 0, 0, "1"]]).encode(),
        b")]}'\n\n" + b"[" * 100_000,
        b"x" * (gnews.MAX_ANSWER + 10),
    ]
    for answer in bad:
        assert gnews.decoded(answer, ids) == {}


@given(st.binary(max_size=400), st.text(max_size=200))
def test_no_input_raises(raw: bytes, text: str) -> None:
    gnews.decoded(raw, ["a", "b"])
    gnews.signature(raw)
    gnews.offline_url(text)
    gnews.needs_decoder(text)
    gnews.article_id(text)


def test_the_outlet_suffix_comes_off_the_title() -> None:
    assert (
        gnews.without_outlet("Jury rejects Musk's lawsuit - Reuters", "Reuters")
        == "Jury rejects Musk's lawsuit"
    )
    assert gnews.without_outlet("Musk v. OpenAI — Le Monde", "Le Monde") == "Musk v. OpenAI"
    assert gnews.without_outlet("Reuters", "Reuters") == "Reuters"
    assert gnews.without_outlet("A - B - Reuters", "") == "A - B - Reuters"

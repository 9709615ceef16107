"""Court dockets as a primary source (issue 16): docket entries identified by court, case and
number, judged by their significance, and merged with the press coverage of the same event."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.config import load_config
from bot.intake.docket import case_number, significance
from bot.judge.kinds import KindFinder
from bot.judge.match import Rules
from bot.update import parse_and_judge
from tests.conftest import ROOT, data_path
from tests.support.cli import command, environment
from tests.support.dockets import PACIFIC, Filing, PacerItem, courtlistener, pacer
from tests.support.fake_discord import WEBHOOK_URL, FakeDiscord
from tests.support.feeds import Item, rss, write_config
from tests.support.feedserver import FeedServer, Route
from tests.test_e2e import NOW, assert_clean, cli

CASE = "4:24-cv-04722"
TODAY = NOW.astimezone(PACIFIC).date()
PDF = "https://storage.courtlistener.com/recap/gov.uscourts.cand.433688/gov.uscourts.cand.433688.512.0.pdf"
APPEAL = Filing(
    512, TODAY, "NOTICE OF APPEAL to the 9th Circuit Court of Appeals by Elon Musk. (Fee paid.)", PDF
)
LEDE = "Elon Musk filed a notice of appeal in his lawsuit against OpenAI and Sam Altman on Monday."
PRESS = [
    Item(
        "Musk appeals jury's decision in OpenAI lawsuit",
        "https://a.example/1",
        NOW - timedelta(hours=2),
        description=LEDE,
        source="Alpha",
    ),
    Item(
        "Elon Musk files appeal in OpenAI lawsuit",
        "https://b.example/2",
        NOW - timedelta(hours=1.5),
        description=LEDE,
        source="Bravo",
    ),
    Item(
        "Musk to appeal loss in OpenAI lawsuit",
        "https://c.example/3",
        NOW - timedelta(hours=1),
        description=LEDE,
        source="Charlie",
    ),
]


def setup(tmp_path: Path, server: FeedServer, discord_api: FakeDiscord) -> None:
    server.routes["/press.xml"] = Route(rss([]))
    server.routes["/docket.xml"] = Route(courtlistener([]), content_type="application/atom+xml")
    feeds = {"press": server.url("/press.xml"), "docket": server.url("/docket.xml")}
    write_config(tmp_path / "feeds.yaml", feeds, feed_keys={"docket": {"kind": "docket", "case": CASE}})
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))  # baselines


def docket(server: FeedServer, *filings: Filing) -> None:
    server.routes["/docket.xml"] = Route(courtlistener(list(filings)), content_type="application/atom+xml")


@pytest.mark.parametrize("docket_first", [True, False], ids=["docket-first", "press-first"])
def test_a_notice_of_appeal_and_its_press_are_one_post_with_the_primary_source(
    tmp_path: Path, feed_server: FeedServer, discord_api: FakeDiscord, docket_first: bool
) -> None:
    setup(tmp_path, feed_server, discord_api)
    for docket_now in (docket_first, not docket_first):
        if docket_now:
            docket(feed_server, APPEAL)
        else:
            feed_server.routes["/press.xml"] = Route(rss(PRESS))
        assert_clean(cli(tmp_path, "poll", discord_api=discord_api))

    [message] = discord_api.messages  # one post, whichever came first
    final = (message.edits or [message.payload])[-1]["embeds"][0]
    assert final["title"] == (PRESS[0].title)  # the press leads; the docket is the source line
    primary, also = final["fields"]
    assert primary["name"] == "Primary source"
    label = "Dkt. 512: NOTICE OF APPEAL to the 9th Circuit Court of Appeals by Elon Musk. Fee paid."
    assert primary["value"] == f"[{label}]({PDF}) (PDF)"  # the filing, linked, never fetched
    assert also["name"] == "Also covered by" and also["value"].count("\n") == 1  # two other outlets
    assert final["footer"]["text"] == "3 outlets"


def test_a_stub_that_comes_back_with_its_text_edits_the_post(
    tmp_path: Path, feed_server: FeedServer, discord_api: FakeDiscord
) -> None:
    setup(tmp_path, feed_server, discord_api)
    docket(feed_server, Filing(520, TODAY, "ORDER", internal_id=7001))
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))
    full = "ORDER DENYING Defendants' motion to stay discovery. Signed by Judge Yvonne Gonzalez Rogers."
    docket(feed_server, Filing(520, TODAY, full, internal_id=7002))  # replaced under another id
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))

    [message] = discord_api.messages
    assert message.payload["embeds"][0]["title"] == "Dkt. 520: ORDER"
    [edit] = message.edits
    assert edit["embeds"][0]["title"].startswith("Dkt. 520: ORDER DENYING Defendants' motion to stay")


def test_procedural_entries_are_stored_and_explained_but_not_posted(
    tmp_path: Path, feed_server: FeedServer, discord_api: FakeDiscord
) -> None:
    setup(tmp_path, feed_server, discord_api)
    docket(
        feed_server,
        Filing(530, TODAY, "NOTICE of Appearance by Jane Roe on behalf of OpenAI, Inc."),
        Filing(531, TODAY, "APPLICATION for Admission of Attorney Pro Hac Vice (Filing fee $317)"),
        Filing(532, TODAY, "ORDER GRANTING motion to seal exhibits. Signed by Judge Yvonne Gonzalez Rogers."),
    )
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))
    [message] = discord_api.messages
    assert message.payload["embeds"][0]["title"].startswith("Dkt. 532: ORDER GRANTING")
    with closing(sqlite3.connect(tmp_path / "bot.db")) as db:
        stored = dict(db.execute("SELECT title, id FROM entries WHERE decision = 'irrelevant'").fetchall())
    assert sorted(stored) == [
        "Dkt. 530: NOTICE of Appearance by Jane Roe on behalf of OpenAI, Inc.",
        "Dkt. 531: APPLICATION for Admission of Attorney Pro Hac Vice (Filing fee $317)",
    ]
    appearance = stored["Dkt. 530: NOTICE of Appearance by Jane Roe on behalf of OpenAI, Inc."]
    explained = json.loads(cli(tmp_path, "explain", "--json", "--entry", str(appearance)).stdout)
    assert explained["relevant"] is False
    assert explained["reasons"] == ["docket entry: procedural (notice of appearance); stored, not posted"]


def test_a_pacer_court_feed_yields_only_the_followed_case(
    tmp_path: Path, feed_server: FeedServer, discord_api: FakeDiscord
) -> None:
    when = NOW - timedelta(hours=1)
    items = [
        PacerItem(f"{CASE}-YGR Musk v. Altman et al", "Notice of Appeal", 512, 3001, when),
        PacerItem("3:25-cv-01234 Doe v. Acme Corp", "Order", 12, 3002, when),
        PacerItem(f"{CASE}-YGR Musk v. Altman et al", "Minute Entry", None, 3003, when),
        PacerItem("5:23-cv-00042 Roe v. Widget Inc", "Notice of Appeal", 40, 3004, when),
    ]
    feed_server.routes["/rss_outside.pl"] = Route(pacer("cand", []))
    write_config(
        tmp_path / "feeds.yaml",
        {"cand": feed_server.url("/rss_outside.pl")},
        feed_keys={"cand": {"kind": "pacer", "case": CASE}},
        extra="  post_recent: 1d",
    )
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))
    feed_server.routes["/rss_outside.pl"] = Route(pacer("cand", items))
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))
    with closing(sqlite3.connect(tmp_path / "bot.db")) as db:
        keys = sorted(r[0] for r in db.execute("SELECT guid FROM entries"))
    day = when.astimezone(PACIFIC).date()
    assert keys == [f"docket:127.0.0.1:{CASE}:512", f"docket:127.0.0.1:{CASE}:minute:{day}:3003"]
    # The day's minute entry, of no kind, joins the notice of appeal filed that day.
    assert [e["title"] for e in discord_api.embeds()] == ["Dkt. 512: Notice of Appeal"]


def test_a_real_pacer_court_feed_keeps_one_case() -> None:
    body = data_path("corpora", "real-feeds", "pacer-nysd-district-2018.xml").read_bytes()
    topic = load_config(ROOT / "feeds.yaml").topic
    url = "https://ecf.nysd.uscourts.gov/cgi-bin/rss_outside.pl"
    when = datetime(2018, 4, 18, tzinfo=PACIFIC)
    rules, kinds = Rules.from_topic(topic), KindFinder.for_topic(topic)
    parsed, verdicts, _ = parse_and_judge(
        "nysd", body, url, "", "", when, rules, kinds, ("pacer", "1:18-cv-03365")
    )
    assert parsed.entries and all(e.guid.startswith("docket:nysd:1:18-cv-03365:") for e in parsed.entries)
    described = {e.summary: v.relevant for e, v in zip(parsed.entries, verdicts, strict=True)}
    assert described["Complaint"] is True and described["Notice of Appearance"] is False


def test_significance_and_case_numbers() -> None:
    assert significance("ORDER denying motion to dismiss").relevant
    assert not significance("  ").relevant and "stub" in significance("").reasons[0]
    assert not significance("CERTIFICATE OF SERVICE by OpenAI").relevant
    assert case_number("4:24-cv-04722-YGR Musk v. Altman") == case_number("4:24-CV-04722") == "4:24-cv-04722"
    assert case_number("Musk v. Altman 4:24-cv-04722") == ""


def test_the_shipped_kinds_read_docket_descriptions() -> None:
    kinds = KindFinder.for_topic(load_config(ROOT / "feeds.yaml").topic)
    read = {
        "NOTICE OF APPEAL to the 9th Circuit Court of Appeals by Elon Musk": "appeal",
        "ORDER DENYING motion to dismiss. Signed by Judge Yvonne Gonzalez Rogers.": "ruling",
        "JUDGMENT in favor of Defendants": "ruling",
        "VERDICT FORM": "verdict",
        "Minute Entry for proceedings held before Judge Yvonne Gonzalez Rogers: Jury Selection held": "trial",
    }
    assert {text: kinds.kind(text, text) for text in read} == read


def test_a_long_pacer_description_keeps_its_entry_number() -> None:
    from bot.intake.docket import adopt
    from bot.models import Entry, ParsedFeed

    long = "ORDER " + "granting in part " * 400
    item = Entry(
        "cand",
        "g",
        "https://ecf.cand.uscourts.gov/x",
        f"{CASE} Musk v. Altman",
        f"[{long}] (77)",
        "",
        NOW,
        True,
    )
    parsed, [verdict] = adopt(
        ParsedFeed("t", (item,)), "pacer", CASE, "https://ecf.cand.uscourts.gov/rss", NOW
    )
    [entry] = parsed.entries
    assert (
        entry.guid == f"docket:cand:{CASE}:77"
        and entry.summary.startswith("ORDER granting")
        and verdict.relevant
    )


def api_page(results: list[dict[str, object]], following: str | None) -> bytes:
    return json.dumps({"count": 3, "next": following, "previous": None, "results": results}).encode()


def test_with_a_token_backfill_reads_older_entries_from_the_api_and_keeps_the_token_home(
    tmp_path: Path, feed_server: FeedServer, discord_api: FakeDiscord
) -> None:
    """CourtListener's API holds what the feed no longer does: read with COURTLISTENER_TOKEN,
    sent to the feed's own host only, never logged; entries keep the identity the feed gives."""
    docket_path = "/docket/123/feed/"
    api = "/api/rest/v4/docket-entries/?docket=123&order_by=-entry_number"
    older = TODAY - timedelta(days=40)
    feed_server.routes[docket_path] = Route(
        courtlistener([], docket=123), content_type="application/atom+xml"
    )
    write_config(
        tmp_path / "feeds.yaml",
        {"docket": feed_server.url(docket_path)},
        feed_keys={"docket": {"kind": "docket", "case": CASE}},
    )
    assert_clean(cli(tmp_path, "poll", discord_api=discord_api))  # the baseline
    recent = Filing(300, TODAY, "ORDER DENYING motion to stay. Signed by Judge Yvonne Gonzalez Rogers.")
    feed_server.routes[docket_path] = Route(
        courtlistener([recent], docket=123), content_type="application/atom+xml"
    )
    page_two = feed_server.url(api + "&page=2")
    feed_server.routes[api] = Route(
        api_page(
            [
                {
                    "id": 9300,
                    "entry_number": 300,
                    "date_filed": str(TODAY),
                    "description": recent.description,
                },
                {
                    "id": 9120,
                    "entry_number": 120,
                    "date_filed": str(older),
                    "description": "ORDER GRANTING motion to dismiss in part.",
                    "recap_documents": [
                        {
                            "is_available": True,
                            "filepath_local": "recap/gov.uscourts.cand.1/gov.uscourts.cand.1.120.0.pdf",
                        }
                    ],
                },
            ],
            page_two,
        ),
        content_type="application/json",
    )
    feed_server.routes[api + "&page=2"] = Route(
        api_page(
            [
                {
                    "id": 9001,
                    "entry_number": 1,
                    "date_filed": str(older - timedelta(days=300)),
                    "description": "COMPLAINT against Sam Altman, OpenAI, Inc.",
                },
                {  # a lone surrogate once ended the backfill with nothing queued
                    "id": 9002,
                    "entry_number": 2,
                    "date_filed": str(older - timedelta(days=299)),
                    "description": "ORDER \ud800 granting leave to file under seal.",
                },
            ],
            "https://elsewhere.example/api/next",
        ),
        content_type="application/json",
    )
    env = {"COURTLISTENER_TOKEN": "cl-secret-token"}
    result = subprocess.run(
        command(tmp_path, "-v", "backfill", "--since", "2000-01-01"),
        env=environment(webhook_url=WEBHOOK_URL, api_base=discord_api.api_base) | env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert_clean(result)
    assert "cl-secret-token" not in result.stderr + result.stdout
    titles = sorted(e["title"] for e in discord_api.embeds())
    assert titles == [
        "Dkt. 120: ORDER GRANTING motion to dismiss in part.",
        "Dkt. 1: COMPLAINT against Sam Altman, OpenAI, Inc.",
        "Dkt. 2: ORDER granting leave to file under seal.",
        "Dkt. 300: ORDER DENYING motion to stay. Signed by Judge Yvonne Gonzalez Rogers.",
    ]  # entry 300, in the feed and the API, once
    asked = [r for r in feed_server.requests if r.path.startswith("/api/")]
    assert len(asked) == 2 and all(r.headers.get("authorization") == "Token cl-secret-token" for r in asked)
    assert all("authorization" not in r.headers for r in feed_server.requests if r.path == docket_path)
    pdf = next(e for e in discord_api.embeds() if e["title"].startswith("Dkt. 120"))["fields"][0]["value"]
    assert (
        "https://storage.courtlistener.com/recap/gov.uscourts.cand.1/gov.uscourts.cand.1.120.0.pdf) (PDF)"
        in pdf
    )


def test_the_api_is_asked_over_https_wherever_the_token_would_cross_a_network() -> None:
    """The token once went in clear text to an http:// docket feed's host."""
    from bot.intake.docket import api_url

    assert api_url("http://www.courtlistener.com/docket/69013420/feed/").startswith(
        "https://www.courtlistener.com/api/rest/v4/docket-entries/?docket=69013420"
    )
    assert api_url("http://127.0.0.1:8080/docket/1/feed/").startswith("http://127.0.0.1:8080/api/")
    assert api_url("http://[::1]:8080/docket/1/feed/").startswith("http://[::1]:8080/api/")
    assert api_url("http://localhost.evil.example/docket/1/feed/").startswith("https://")

"""Docket feeds as the courts and CourtListener publish them (see shared/court-feeds.md):
a CourtListener docket's Atom feed (Django's Atom1Feed) and a court's PACER RSS."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

PACIFIC = ZoneInfo("America/Los_Angeles")
CASE_TITLE = "Musk v. Altman"
DOCKET = 69013420


@dataclass(frozen=True)
class Filing:
    """One docket entry: its number (None for a minute entry), filing day and description."""

    number: int | None
    filed: date
    description: str
    pdf: str = ""  # the free RECAP copy, when CourtListener has one
    internal_id: int = 0  # CourtListener's own id, which changes when a stub is replaced


def courtlistener(filings: list[Filing], docket: int = DOCKET, case_title: str = CASE_TITLE) -> bytes:
    """The docket's feed: newest first, each entry dated midnight US/Pacific of its filing day."""
    page = f"https://www.courtlistener.com/docket/{docket}/musk-v-altman/"
    entries = []
    for n, filing in enumerate(sorted(filings, key=lambda f: (f.filed, f.number or 0), reverse=True)):
        midnight = datetime.combine(filing.filed, time(0), tzinfo=PACIFIC)
        if filing.number is not None:
            title, anchor = f"Entry #{filing.number} in {case_title}", f"entry-{filing.number}"
        else:
            title, anchor = f"Minute entry from {filing.filed} in {case_title}", f"minute-entry-{n}"
        pdf = f'<link href={quoteattr(filing.pdf)} rel="enclosure" length="0" type="application/pdf"/>'
        entries.append(
            "<entry>"
            f"<title>{escape(title)}</title>"
            f'<link href={quoteattr(page + "?order_by=desc#" + anchor)} rel="alternate"/>'
            f"{pdf if filing.pdf else ''}"
            f"<updated>{midnight.isoformat()}</updated>"
            f"<id>{page}?id={filing.internal_id or n}</id>"
            f'<summary type="html">{escape(filing.description)}</summary>'
            "</entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-us">'
        f"<title>Docket updates for {escape(case_title)}</title>"
        f'<link href="{page}" rel="alternate"/><id>{page}</id>'
        f"<updated>{datetime.now(PACIFIC).isoformat()}</updated>"
        "<author><name>Free Law Project</name></author>" + "".join(entries) + "</feed>"
    ).encode()


@dataclass(frozen=True)
class PacerItem:
    """One item of a court's PACER feed: any case of the court."""

    case: str  # "4:24-cv-04722 Musk v. Altman et al"
    description: str
    number: int | None
    sequence: int
    when: datetime


def pacer(court: str, items: list[PacerItem]) -> bytes:
    """`https://ecf.<court>.uscourts.gov/cgi-bin/rss_outside.pl`, in its RSS 2.0 shape."""
    host = f"https://ecf.{court}.uscourts.gov"
    parts = [f"<title>{court} - Recent Entries</title><link>{host}</link>"]
    for item in items:
        case_id = abs(hash(item.case)) % 1_000_000
        number = f' (<a href="{host}/doc1/1?caseid={case_id}&de_seq_num={item.sequence}">{item.number}</a>)'
        description = f"[{item.description}]" + (number if item.number is not None else "")
        parts.append(
            "<item>"
            f"<title>{escape(item.case)}</title>"
            f"<link>{host}/cgi-bin/DktRpt.pl?{case_id}</link>"
            f"<description>{escape(description)}</description>"
            f'<guid isPermaLink="true">{escape(f"{host}/cgi-bin/DktRpt.pl?{case_id}&{item.sequence}")}</guid>'
            f"<pubDate>{format_datetime(item.when)}</pubDate>"
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel>'
        + "".join(parts)
        + "</channel></rss>"
    ).encode("latin-1")

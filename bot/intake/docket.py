"""Court dockets as sources: a CourtListener docket feed (`kind: docket`) or a court's PACER
RSS (`kind: pacer`, every case of the court, filtered to `case`). Pure: it turns a parsed
feed's items into docket entries and judges their significance.

A docket entry is identified by court, case and entry number (a minute entry, which has no
number, by its date and sequence), never by its URL or guid alone: CourtListener replaces a
stub by a fuller entry under another internal id, and PACER items of one case can share an
id. That identity is the entry's guid and its story's key, so a stub that comes back with a
fuller description is an edit of the same story, and its post is edited.

Every entry of the followed case is on topic; procedural noise (pro hac vice, certificates
of service, notices of appearance, transcript orders) and stubs with no description are
stored, explained and not posted. A filing date is a whole day in US/Pacific: the entry is
placed at noon that day, so that the day's press coverage, at any hour, is its first hours.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import replace
from datetime import datetime, time
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.models import Entry, ParsedFeed, Verdict
from bot.text import cut, fold, squash

PACIFIC = ZoneInfo("America/Los_Angeles")
OUTLET = "Court docket"
KEY = "docket:"  # how a docket story's key begins (its canonical URL otherwise)
TITLE_MAX = 120
# Procedural entries: stored, never posted (courtlistener#7073: they dominate busy dockets).
PROCEDURAL = (
    "pro hac vice",
    "certificate of service",
    "certificate of interested",
    "proof of service",
    "notice of appearance",
    "appearance of counsel",
    "transcript order",
    "request for transcript",
    "notice of filing of official transcript",
    "notice of change of address",
    "summons issued",
    "civil cover sheet",
    "consent or declination",
    "clerk's notice",
)

_CL_TITLE = re.compile(r"Entry #(\d{1,7}) in |Minute entry from (\d{4}-\d{2}-\d{2}) in ")
_PACER_DESCRIPTION = re.compile(r"\[([^\]]{0,50000})\]\s*(?:\((\d{1,7})\))?")  # a feed text is at most 50,000
_MINUTE_ANCHOR = re.compile(r"#minute-entry-(\d{1,12})$")
_PACER_SEQUENCE = re.compile(r"&(\d{1,9})$")
_CASE_NUMBER = re.compile(r"(\d{1,2}:\d{2}-[a-z]{2,4}-\d{3,6})", re.IGNORECASE)


def is_docket(key: str) -> bool:
    """Whether a story's key (canonical URL) is a docket entry's."""
    return key.startswith(KEY)


def case_number(text: str) -> str:
    """The case number a text begins with ('4:24-cv-04722' of '4:24-cv-04722-YGR Musk v.'),
    lower-case; '' if none."""
    found = _CASE_NUMBER.match(text.strip())
    return found.group(1).lower() if found else ""


def adopt(
    parsed: ParsedFeed, kind: str, case: str, source_url: str, now: datetime
) -> tuple[ParsedFeed, tuple[Verdict, ...]]:
    """The docket entries of the followed case in a parsed docket feed, and their verdicts.
    Items of other cases (a PACER feed holds a whole court) are left out entirely. An entry
    filed today is placed at noon, or now if that is earlier."""
    court = _court(kind, source_url)
    entries, verdicts = [], []
    for item in parsed.entries:
        entry = _pacer(item, court, case) if kind == "pacer" else _courtlistener(item, court, case)
        if entry is not None:
            entry = replace(entry, published=min(entry.published, now))
            entries.append(entry)
            verdicts.append(significance(entry.summary))
    return replace(parsed, entries=tuple(entries)), tuple(verdicts)


def significance(description: str) -> Verdict:
    """Whether a docket entry is posted: any entry of the followed case, but procedural noise
    and stubs that say nothing yet, which are stored and explained."""
    folded = fold(description)
    if not folded.strip():
        return Verdict(
            False, 0.0, ("docket entry: a stub with no description yet; stored, posted when it has one",)
        )
    for term in PROCEDURAL:
        if term in folded:
            return Verdict(False, 0.0, (f"docket entry: procedural ({term}); stored, not posted",))
    return Verdict(True, 1.0, ("docket entry of the followed case",))


def _court(kind: str, source_url: str) -> str:
    """'cand' of https://ecf.cand.uscourts.gov/…; 'courtlistener' for a CourtListener feed."""
    if kind != "pacer":
        return "courtlistener"
    host = urlsplit(source_url).hostname or ""
    return host.split(".")[1] if host.startswith("ecf.") and host.count(".") >= 3 else host


def _courtlistener(item: Entry, court: str, case: str) -> Entry | None:
    """`Entry #512 in Musk v. Altman` (or a minute entry) with its description as summary."""
    found = _CL_TITLE.match(item.title)
    if found is None:
        return None
    docket = case.lower() or _docket_id(item.url)
    if found.group(1):
        key, label = f"{KEY}{court}:{docket}:{found.group(1)}", f"Dkt. {found.group(1)}"
    else:
        anchor = _MINUTE_ANCHOR.search(item.url)  # the entry's own id, as the API gives it too
        minute = anchor.group(1) if anchor else item.guid[-40:]
        key, label = f"{KEY}{court}:{docket}:minute:{found.group(2)}:{minute}", "Minute entry"
    return _entry(item, key, label, item.summary or item.content)


def _pacer(item: Entry, court: str, case: str) -> Entry | None:
    """`<case number> <case name>` items of the followed case: `[short description] (n)`."""
    if not case or case_number(item.title) != case_number(case):
        return None
    found = _PACER_DESCRIPTION.match(item.summary)
    description, number = (found.group(1), found.group(2)) if found else (item.summary, None)
    if number:
        key, label = f"{KEY}{court}:{case.lower()}:{number}", f"Dkt. {number}"
    else:  # a minute entry: its date and the sequence number its guid ends with
        sequence = _PACER_SEQUENCE.search(item.guid)
        day = item.published.astimezone(PACIFIC).date()
        key = f"{KEY}{court}:{case.lower()}:minute:{day}:{sequence.group(1) if sequence else item.guid[-40:]}"
        label = "Minute entry"
    return _entry(item, key, label, description)


def _entry(item: Entry, key: str, label: str, description: str) -> Entry:
    """The docket entry as the pipeline stores it: keyed by its identity, titled by its number
    and the start of its description, at noon US/Pacific on its filing day."""
    text = squash(description)
    day = item.published.astimezone(PACIFIC).date()
    noon = datetime.combine(day, time(12, 0), tzinfo=PACIFIC)
    return replace(
        item,
        guid=key,
        canonical=key,
        title=cut(f"{label}: {text}" if text else label, TITLE_MAX),
        summary=text,
        content="",
        outlet=OUTLET,
        language="en",
        published=noon,
        has_date=True,
    )


def _docket_id(url: str) -> str:
    """The docket of a CourtListener entry link (`/docket/69013420/…`)."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    return parts[1] if len(parts) > 1 and parts[0] == "docket" else "docket"


# --- History beyond the feed: CourtListener's API, with COURTLISTENER_TOKEN (optional) ---

API_PAGES = 20  # pages of the docket-entries API read by one backfill, at most
RECAP = "https://storage.courtlistener.com/"


def api_url(feed_url: str) -> str:
    """The API's entries of the docket whose feed is `feed_url` (…/docket/<id>/feed/), newest
    first, on the feed's own host, always over https (the request carries the token) unless
    that host is this machine; '' for a feed of another shape."""
    parts = urlsplit(feed_url)
    segments = [p for p in parts.path.split("/") if p]
    if len(segments) < 2 or segments[0] != "docket" or not segments[1].isdigit():
        return ""
    scheme = parts.scheme if is_loopback(parts.hostname or "") else "https"
    return (
        f"{scheme}://{parts.netloc}/api/rest/v4/docket-entries/?docket={segments[1]}&order_by=-entry_number"
    )


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine (nothing sent there crosses a network)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def from_api(payload: object, feed: str, feed_url: str) -> tuple[list[Entry], str]:
    """One page of the docket-entries API as the items the docket's feed would carry (`adopt`
    then gives each the identity its feed item has), and the next page's URL ('' at the end,
    or when it leaves the feed's host). Anything malformed is skipped."""
    if not isinstance(payload, dict):
        return [], ""
    parts = urlsplit(feed_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    docket = _docket_id(feed_url)
    items = []
    for result in payload.get("results") or []:
        item = _api_item(result, feed, origin, docket)
        if item is not None:
            items.append(item)
    following = payload.get("next")
    same_host = isinstance(following, str) and following.startswith(origin + "/")
    return items, following if same_host and isinstance(following, str) else ""


def _api_item(result: object, feed: str, origin: str, docket: str) -> Entry | None:
    if not isinstance(result, dict):
        return None
    try:
        filed = datetime.strptime(str(result.get("date_filed") or ""), "%Y-%m-%d").date()
    except ValueError:
        return None
    number = result.get("entry_number")
    if isinstance(number, int) and not isinstance(number, bool) and number >= 0:
        title, anchor = f"Entry #{number} in the docket", f"entry-{number}"
    else:
        title, anchor = f"Minute entry from {filed} in the docket", f"minute-entry-{result.get('id')}"
    documents = [d for d in result.get("recap_documents") or [] if isinstance(d, dict)]
    path = next(
        (
            squash(str(d.get("filepath_local")))
            for d in documents
            if d.get("is_available") and d.get("filepath_local")
        ),
        "",
    )
    # The API's text is feed text: cleaned as such (a lone surrogate cannot be stored).
    description = squash(str(result.get("description") or "")[:50_000])
    midnight = datetime.combine(filed, time(0), tzinfo=PACIFIC)
    return Entry(
        feed,
        f"api:{squash(str(result.get('id')))[:100]}",
        f"{origin}/docket/{docket}/?order_by=desc#{anchor}",
        title,
        description,
        "",
        midnight,
        True,
        document=RECAP + path.lstrip("/") if path else "",
    )

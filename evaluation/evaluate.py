"""`make eval`: measure the relevance engine on a labelled set (by default data/dev-set).

Prints precision and recall over `on`/`off` items, overall and per language, and every
misclassified item with the engine's reasons (`borderline` items are not scored); then
the pairwise precision and recall of "same development" over the `on` items, whose
`events` name the development(s) each reports, with items at noon of their day and again
with their times spread over the day (real feeds publish at every hour).
The data set is read where it lies and never copied into the repository.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path
from typing import Any

from bot.config import Topic, load_config
from bot.intake.parse import BUILT_TITLE
from bot.judge import cluster
from bot.judge.kinds import KindFinder
from bot.judge.match import Rules, judge
from bot.models import Story
from bot.text import first_sentence
from evaluation import evaluate_e2e
from evaluation.served import measure_served

ROOT = Path(__file__).resolve().parent.parent  # the checkout
DEFAULT_SET = ROOT / "data" / "dev-set" / "headlines.jsonl"  # vendored: every clone has it


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, truth: bool, guess: bool) -> None:
        if truth and guess:
            self.tp += 1
        elif guess:
            self.fp += 1
        elif truth:
            self.fn += 1
        else:
            self.tn += 1

    def line(self, name: str) -> str:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return (
            f"{name:8} precision {precision:.3f}  recall {recall:.3f}  "
            f"(tp {self.tp}, fp {self.fp}, fn {self.fn}, tn {self.tn})"
        )


def _items(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _title(item: dict[str, Any]) -> str:
    """The item's headline as the bot reads it: an untitled feed item is given its lede's
    first sentence (`parse.BUILT_TITLE`), as parsing does."""
    return item.get("title", "") or first_sentence(item.get("description", ""), BUILT_TITLE)


def relevance_report(items: list[dict[str, Any]], topic: Topic) -> list[str]:
    """Precision and recall of `judge` over on/off items, overall and per language."""
    rules = Rules.from_topic(topic)
    overall = Tally()
    by_lang: dict[str, Tally] = defaultdict(Tally)
    misses: list[str] = []
    for item in items:
        if item["label"] not in ("on", "off"):
            continue
        truth = item["label"] == "on"
        verdict = judge(_title(item), item.get("description", ""), rules)
        overall.add(truth, verdict.relevant)
        by_lang[item.get("lang", "?")].add(truth, verdict.relevant)
        if truth != verdict.relevant:
            kind = "missed" if truth else "false "
            misses.append(
                f"{kind} {item['id']} [{item.get('lang')}] {item.get('title', '')[:70]!r}\n"
                f"         {'; '.join(verdict.reasons)}"
            )
    return ["relevance", overall.line("all"), *(by_lang[k].line(k) for k in sorted(by_lang)), *misses]


SPREAD = 3  # hours either side of noon that `spread_report` moves each item by
DRAWS = 20  # seeded draws it pools


def _reporting(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The on-topic items labelled with the development(s) they report: what pairs score."""
    return [i for i in items if i["label"] == "on" and i.get("events")]


def _noon(item: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(item["date"]).replace(hour=12, tzinfo=UTC)


def _cluster(
    on: list[dict[str, Any]], kinds: KindFinder, when: dict[str, datetime]
) -> tuple[list[cluster.Development], dict[str, int], dict[str, str]]:
    """The items, in publication order (`when`), clustered online: the developments (story
    ids index `on`), where each item went, and why."""
    developments: list[cluster.Development] = []
    placed: dict[str, int] = {}
    why: dict[str, str] = {}  # each item's placement, with its evidence and runner-up
    for n, item in enumerate(on):
        published = when[item["id"]]
        title, text = _title(item), item.get("description", "")
        kind = kinds.kind(title, text)
        story = cluster.features(
            Story(n, title, "", text, "", published, "", item.get("lang", ""), kind), kinds
        )
        assignment = cluster.assign(story, developments, kinds)
        why[item["id"]] = assignment.reason
        found = assignment.development
        if assignment.aside:
            placed[item["id"]] = -1 - n  # in no development: a pair with nothing, a post of none
            continue
        if found is None:
            found = len(developments)
            developments.append(cluster.Development(found, published, story.kind, (story,)))
        else:
            developments[found] = cluster.joined(developments[found], story, len(on), kinds)
        placed[item["id"]] = found
    return developments, placed, why


def _pairs(on: list[dict[str, Any]], placed: dict[str, int], tally: Tally) -> list[tuple[str, str]]:
    """Score every pair of items into `tally`; the pairs merged that report different events."""
    wrong = []
    for a, b in combinations(on, 2):
        truth = bool(set(a["events"]) & set(b["events"]))
        guess = placed[a["id"]] == placed[b["id"]]
        tally.add(truth, guess)
        if guess and not truth:
            wrong.append((a["id"], b["id"]))
    return wrong


def spread_report(items: list[dict[str, Any]], topic: Topic) -> list[str]:
    """Pairs scored with each item moved up to SPREAD hours from noon of its day (DRAWS seeded
    draws, pooled): what the numbers are worth when items of a day are not all published at
    one instant, as in real feeds; a rule fitted to noon-aligned dates shows here."""
    on = _reporting(items)
    kinds = KindFinder.for_topic(topic)
    tally = Tally()
    for draw in range(DRAWS):
        rng = random.Random(draw)
        when = {
            i["id"]: _noon(i) + timedelta(hours=rng.uniform(-SPREAD, SPREAD))
            for i in sorted(on, key=lambda i: i["id"])
        }
        in_order = sorted(on, key=lambda i: (when[i["id"]], i["id"]))
        _pairs(in_order, _cluster(in_order, kinds, when)[1], tally)
    return [f"times spread ±{SPREAD}h within each day, {DRAWS} draws pooled:", tally.line("spread")]


def development_report(items: list[dict[str, Any]], topic: Topic) -> list[str]:
    """Pairwise precision and recall of "same development" over on items, clustered in date order."""
    on = sorted(_reporting(items), key=lambda i: (i["date"], i["id"]))
    kinds = KindFinder.for_topic(topic)
    developments, placed, why = _cluster(on, kinds, {i["id"]: _noon(i) for i in on})
    tally = Tally()
    reported = {i["id"]: i["events"] for i in on}
    wrong = [
        f"merged  {a} {reported[a]} with {b} {reported[b]}: {why[b]}" for a, b in _pairs(on, placed, tally)
    ]
    holders: dict[str, set[int]] = defaultdict(set)  # event -> the developments holding its stories
    for item in on:
        for event in item["events"]:
            held = holders[event]  # an event only roundups report stays held by none
            if placed[item["id"]] >= 0:
                held.add(placed[item["id"]])
    lost = sum(not h for h in holders.values())
    per_event = sum(len(h) for h in holders.values()) / ((len(holders) - lost) or 1)
    lines = [
        "developments (pairwise, same development)",
        tally.line("pairs"),
        f"{len(on)} stories in {len(developments)} developments; {len(holders)} labelled events"
        f"{f' ({lost} only in roundups, in no development)' if lost else ''};"
        f" {per_event:.2f} posts per development (1.00 is one post each; read it beside the pairs)",
    ]
    for dev in developments:
        ids = [on[m.story_id]["id"] for m in dev.members]
        events = sorted({e for m in dev.members for e in on[m.story_id]["events"]})
        lines.append(f"  {dev.kind or '?':12} {' '.join(ids)}  {events}")
    split = []
    for event, held in sorted(holders.items()):
        if len(held) > 1:
            split.append(f"split   {event} over {len(held)} developments; each started by:")
            starters = [i for i in on if event in i["events"] and why[i["id"]].startswith("new development")]
            split += [f"          {i['id']}: {why[i['id']]}" for i in starters]
    return lines + wrong + split


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dataset", nargs="?", type=Path, default=DEFAULT_SET)
    parser.add_argument("--config", type=Path, default=ROOT / "feeds.yaml")
    parser.add_argument(
        "--e2e", action="store_true", help="also run the set through the whole bot on loopback feeds"
    )
    args = parser.parse_args(argv)
    if not args.dataset.exists():
        print(f"eval: {args.dataset} not found: nothing measured (see data/README.md)", file=sys.stderr)
        return 2
    topic = load_config(args.config).topic
    items = _items(args.dataset)
    print("\n".join(relevance_report(items, topic)))
    print("\n".join(development_report(items, topic)))
    print("\n".join(spread_report(items, topic)))
    if args.e2e:
        with tempfile.TemporaryDirectory() as scratch:
            result = evaluate_e2e.measure(items, load_config(args.config), str(Path(scratch) / "eval.db"))
            served = measure_served(items, load_config(args.config), str(Path(scratch) / "served.db"))
        print("\n".join(result.lines()))
        print("\n".join(served.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`make eval`: measure the relevance engine on a labelled set (by default ../shared/dev-set).

Prints precision and recall over `on`/`off` items, overall and per language, and every
misclassified item with the engine's reasons. Items labelled `borderline` are not scored.
The data set is read where it lies and never copied into the repository.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bot.config import load_config
from bot.match import Rules, judge

ROOT = Path(__file__).resolve().parent.parent  # the checkout; the data set lies beside it
DEFAULT_SET = ROOT.parent / "shared" / "dev-set" / "headlines.jsonl"


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dataset", nargs="?", type=Path, default=DEFAULT_SET)
    parser.add_argument("--config", type=Path, default=ROOT / "feeds.yaml")
    args = parser.parse_args(argv)
    if not args.dataset.exists():
        print(f"eval: {args.dataset} not found; nothing to measure")
        return 0
    rules = Rules.from_topic(load_config(args.config).topic)
    overall = Tally()
    by_lang: dict[str, Tally] = defaultdict(Tally)
    misses: list[str] = []
    for line in args.dataset.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        if item["label"] not in ("on", "off"):
            continue
        truth = item["label"] == "on"
        verdict = judge(item.get("title", ""), item.get("description", ""), rules)
        overall.add(truth, verdict.relevant)
        by_lang[item.get("lang", "?")].add(truth, verdict.relevant)
        if truth != verdict.relevant:
            kind = "missed" if truth else "false "
            misses.append(
                f"{kind} {item['id']} [{item.get('lang')}] {item.get('title', '')[:70]!r}\n"
                f"         {'; '.join(verdict.reasons)}"
            )
    print("relevance")
    print(overall.line("all"))
    for lang in sorted(by_lang):
        print(by_lang[lang].line(lang))
    for miss in misses:
        print(miss)
    return 0


if __name__ == "__main__":
    sys.exit(main())

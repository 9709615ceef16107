"""evaluate (make eval): precision and recall per language on a labelled set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.config import load_config
from evaluation.evaluate import main
from evaluation.evaluate_e2e import Result, measure
from evaluation.served import measure_served
from tests.conftest import ROOT, data_path


def test_eval_reports_precision_recall_and_misses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    items = [
        {"id": "a", "lang": "en", "label": "on", "title": "Musk sues OpenAI", "description": ""},
        {"id": "b", "lang": "en", "label": "off", "title": "Tesla earnings", "description": ""},
        {"id": "c", "lang": "fr", "label": "on", "title": "Une journée calme", "description": ""},
        {"id": "d", "lang": "fr", "label": "borderline", "title": "Musk et OpenAI", "description": ""},
    ]
    data = tmp_path / "set.jsonl"
    data.write_text("\n".join(json.dumps(i) for i in items) + "\n", encoding="utf-8")
    assert main([str(data)]) == 0
    out = capsys.readouterr().out
    assert "all      precision 1.000  recall 0.500  (tp 1, fp 0, fn 1, tn 1)" in out
    assert "fr       precision 1.000  recall 0.000" in out
    assert "missed c [fr]" in out


def test_eval_reports_pairwise_development_scores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def on(i: str, date: str, title: str, events: list[str]) -> dict[str, object]:
        return {
            "id": i,
            "lang": "en",
            "label": "on",
            "date": date,
            "title": title,
            "description": "",
            "events": events,
        }

    items = [
        on("a", "2024-03-01", "Musk sues OpenAI", ["E1"]),
        on("b", "2024-03-01", "Musk files lawsuit against OpenAI", ["E1"]),
        on("c", "2024-06-11", "Musk withdraws lawsuit against OpenAI", ["E2"]),
        on("d", "2024-06-11", "Musk makes a bid for OpenAI", ["E3"]),  # same day as c, another kind: apart
    ]
    data = tmp_path / "set.jsonl"
    data.write_text("\n".join(json.dumps(i) for i in items) + "\n", encoding="utf-8")
    main([str(data)])
    out = capsys.readouterr().out
    assert "pairs    precision 1.000  recall 1.000  (tp 1, fp 0, fn 0, tn 5)" in out
    assert "4 stories in 3 developments; 3 labelled events; 1.00 posts per development" in out
    # Spread over their day, a and b stay together and c and d apart, whatever the hour.
    assert "spread   precision 1.000  recall 1.000  (tp 20, fp 0, fn 0, tn 100)" in out


def test_eval_without_its_data_set_fails_loudly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "absent.jsonl")]) == 2
    assert "absent.jsonl not found: nothing measured" in capsys.readouterr().err


FLOOR = Path(__file__).with_name("eval_floor.json")


def test_dev_set_holds_the_ratchet(capsys: pytest.CaptureFixture[str]) -> None:
    """The numbers on the development set never fall below the floor in eval_floor.json."""
    dev = data_path("dev-set", "headlines.jsonl")
    main([str(dev)])
    measured = {
        fields[0]: (float(fields[2]), float(fields[4]))
        for fields in (line.split() for line in capsys.readouterr().out.splitlines())
        if len(fields) > 4 and fields[1] == "precision"
    }
    floor = json.loads(FLOOR.read_text(encoding="utf-8"))
    expected = {**floor["relevance"], "pairs": floor["pairs"], "spread": floor["spread"]}
    below = [
        f"{name}: measured P {measured[name][0]:.3f} R {measured[name][1]:.3f},"
        f" floor P {want['precision']:.3f} R {want['recall']:.3f}"
        for name, want in expected.items()
        if measured[name][0] < want["precision"] or measured[name][1] < want["recall"]
    ]
    assert not below, below


def test_dev_set_end_to_end_holds_the_ratchet(tmp_path: Path) -> None:
    """Posts per development through the whole bot never rise above the ceiling."""
    dev = data_path("dev-set", "headlines.jsonl")
    items = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines() if line.strip()]
    result = measure(items, load_config(ROOT / "feeds.yaml"), str(tmp_path / "eval.db"))
    ceiling = json.loads(FLOOR.read_text(encoding="utf-8"))["end_to_end"]
    assert round(result.per_development, 2) <= ceiling["max_posts_per_development"], result.lines()
    assert result.without_summary <= ceiling["max_posts_without_summary"], result.lines()


def test_end_to_end_counts_the_posts_a_channel_gets(tmp_path: Path) -> None:
    """Three outlets, two languages, one development: one post; a second development later."""

    def item(i: str, date: str, title: str, lang: str, events: list[str]) -> dict[str, object]:
        text = "Elon Musk filed a lawsuit against OpenAI and Sam Altman in a California court."
        url = f"https://{i}.example/story"
        return {
            "id": i,
            "lang": lang,
            "label": "on",
            "date": date,
            "title": title,
            "description": text,
            "url": url,
            "source": i,
            "events": events,
        }

    items = [
        item("a", "2024-02-01", "Musk sues OpenAI", "en", ["E0"]),
        item("b", "2024-03-01", "Musk sues OpenAI over its mission", "en", ["E1"]),
        item("c", "2024-03-01", "Musk files lawsuit against OpenAI", "en", ["E1"]),
        item("d", "2024-03-01", "Musk verklagt OpenAI wegen Klage", "de", ["E1"]),
        item("e", "2024-06-11", "Musk withdraws lawsuit against OpenAI", "en", ["E2"]),
    ]
    config = load_config(ROOT / "feeds.yaml")
    result = measure(items, config, str(tmp_path / "eval.db"))
    # E0 is history (backfilled), E1 arrives in three outlets and two languages the same day.
    assert result == Result(developments=3, posts=3, per_development=1.0, without_summary=0, edits=0)
    assert "posts per development" in result.lines()[1]


def test_served_through_google_news_holds_the_ratchet(tmp_path: Path) -> None:
    """The development set served as production serves it (Google News beside publishers'
    feeds, pages behind them): publisher links, article summaries, pictures, developments."""
    dev = data_path("dev-set", "headlines.jsonl")
    items = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines() if line.strip()]
    served = measure_served(items, load_config(ROOT / "feeds.yaml"), str(tmp_path / "served.db"))
    floor = json.loads(FLOOR.read_text(encoding="utf-8"))["served"]
    share = {
        "publisher_links": served.publisher_links / served.posts,
        "article_summaries": served.article_summaries / served.posts,
        "pictures": served.pictures / served.posts,
    }
    below = {name: round(value, 3) for name, value in share.items() if round(value, 2) < floor[name]}
    assert not below, (below, served.lines())
    assert served.developments >= floor["developments_found"], served.lines()
    assert served.google_requests / served.polls <= floor["max_google_requests_per_poll"], served.lines()

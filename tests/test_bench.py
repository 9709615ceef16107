"""Smoke runs of the benchmarks with tiny sizes: they work; the numbers are BENCHMARKS.md's."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_poll_benchmark_smoke() -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "poll_bench.py"),
            "--feeds",
            "4",
            "--items",
            "3",
            "--tools",
            "bot",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    header, row = result.stdout.splitlines()[1:3]
    assert header.split()[:4] == ["tool", "first", "unchanged", "ignored"]
    assert row.split()[0] == "bot" and float(row.split()[1]) > 0


def test_decision_benchmark_smoke() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "decision_bench.py"), "--sizes", "200,400", "--batch", "50"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()[1:]
    assert [r.split()[0] for r in rows] == ["200", "400"]


def test_web_benchmark_smoke() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "web_bench.py"), "--developments", "40", "--stories", "3"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    rows = {line.rsplit(maxsplit=2)[0]: float(line.split()[-2]) for line in result.stdout.splitlines()[2:]}
    assert {"timeline, page 1", "a development", "Atom feed"} <= set(rows), result.stdout
    assert rows["a development"] > 0 and rows["Atom feed"] > 0

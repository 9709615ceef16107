"""`make eval` as a user runs it: the script finds the tooling that is not installed."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_the_eval_script_runs_from_a_checkout() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "eval.py")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd="/",
    )
    assert result.returncode == 0, result.stderr
    assert "\nall      precision" in result.stdout and "pairs    precision" in result.stdout

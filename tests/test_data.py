"""The data the tests and `make eval` read is in the repository (a clone has it), and in step
with ../shared where that folder is beside the checkout (`make vendor` copies it)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import DATA, ROOT

VENDORED = ("dev-set", "discord-api-spec", "corpora/feedparser-tests", "corpora/real-feeds")
SHARED = ROOT.parent / "shared"


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_vendored_data_is_complete_with_its_licences() -> None:
    counts = {part: len(files(DATA / part)) for part in VENDORED}
    assert counts["corpora/feedparser-tests"] > 2000 and counts["corpora/real-feeds"] > 40, counts
    assert (DATA / "discord-api-spec" / "LICENSE").exists()
    assert (DATA / "corpora" / "feedparser-tests" / "LICENSE").exists()
    lines = (DATA / "dev-set" / "headlines.jsonl").read_text(encoding="utf-8").splitlines()
    assert len([json.loads(line) for line in lines if line.strip()]) >= 233
    assert "paths" in json.loads((DATA / "discord-api-spec" / "openapi.json").read_text(encoding="utf-8"))


def test_the_vendored_data_matches_shared_where_it_is_beside_the_checkout() -> None:
    """A clone without ../shared compares with nothing; the development checkout (and CI)
    must hold exactly what ../shared holds: `make vendor` brings it in step."""
    compared = [part for part in VENDORED if (SHARED / part).is_dir()]
    for part in compared:
        assert files(DATA / part) == files(SHARED / part), f"data/{part} differs from ../shared: make vendor"
    assert compared == list(VENDORED) or not SHARED.exists()

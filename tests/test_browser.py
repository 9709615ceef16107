"""The web page as a person sees it, in a real headless Chromium (Debian's `chromium` and
`chromium-driver`, driven by selenium; nothing downloads a browser or a driver). Skipped,
saying so, where no Chromium is installed; `.ci/run` installs it.

Set SCREENSHOTS=<folder> to keep the screenshots of the demo there (the README's come from
`SCREENSHOTS=docs make test`: the development set's real coverage, as `make demo` builds it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.support.feedserver import FeedServer
from tests.test_e2e import _read_until
from tests.test_web import served  # noqa: F401  (the fixture: a database served on loopback)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER),
    reason="browser tests skipped: no Chromium here (apt-get install chromium chromium-driver)",
)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # selenium must never fetch a driver or a browser
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1000,1400",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(DRIVER)))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _no_console_errors(driver: object) -> None:
    logs = driver.get_log("browser")  # type: ignore[attr-defined]
    errors = [entry["message"] for entry in logs if entry["level"] == "SEVERE"]
    assert errors == []  # a blocked style or script, a broken link to /style.css…


def _shot(driver: object, folder: Path, name: str) -> None:
    target = folder / f"{name}.png"
    assert driver.save_screenshot(str(target))  # type: ignore[attr-defined]
    assert target.stat().st_size > 10_000  # a page, not a blank


def test_the_timeline_and_a_development_as_a_reader_sees_them(
    served: tuple[str, Path, FeedServer],  # noqa: F811
    browser: object,
    tmp_path: Path,
) -> None:
    from selenium.webdriver.common.by import By

    base, _, _ = served
    driver = browser
    driver.get(base)  # type: ignore[attr-defined]
    assert driver.find_element(By.TAG_NAME, "h1").text == "Musk v. OpenAI"  # type: ignore[attr-defined]
    entries = driver.find_elements(By.CSS_SELECTOR, ".timeline li")  # type: ignore[attr-defined]
    assert len(entries) == 2 and "Jury finds OpenAI not liable" in entries[0].text
    assert "{{ 7*7 }}" in entries[1].text  # hostile text shown as written, nothing run
    chart = driver.find_element(By.CSS_SELECTOR, "svg.chart")  # type: ignore[attr-defined]
    assert chart.size["width"] > 300 and chart.find_elements(By.CSS_SELECTOR, "rect.bar")
    colour = driver.execute_script(  # type: ignore[attr-defined]
        "return getComputedStyle(document.body).maxWidth"
    )
    assert colour == "736px"  # the stylesheet loaded under the page's CSP (46rem)
    _no_console_errors(driver)
    _shot(driver, tmp_path, "hostile-timeline")

    entries[0].find_element(By.LINK_TEXT, "details").click()
    rows = driver.find_elements(By.CSS_SELECTOR, "tbody tr")  # type: ignore[attr-defined]
    assert driver.current_url.startswith(base + "developments/") and len(rows) == 1  # type: ignore[attr-defined]
    assert "new development" in rows[0].text
    _no_console_errors(driver)
    _shot(driver, tmp_path, "hostile-development")


QUIET = ("--listen", "127.0.0.1:0", "--quiet")


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[str]:
    """`make demo`'s page: the development set through the whole bot, served on loopback."""
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "demo.py"), "--db", str(tmp_path / "demo.db"), *QUIET],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = _read_until(process, "the page is at", 300)
        assert "the page is at" in out, err
        yield out.split("the page is at ")[1].split()[0]
    finally:
        process.terminate()
        process.communicate(timeout=30)


def test_the_demo_shows_the_real_coverage_as_a_reader_sees_it(
    demo: str, browser: object, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    folder = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    driver.get(demo)  # type: ignore[attr-defined]
    entries = driver.find_elements(By.CSS_SELECTOR, ".timeline li")  # type: ignore[attr-defined]
    assert len(entries) == 20 and all("outlet" in e.text for e in entries)
    languages = {
        lang for e in entries for lang in ("de", "en", "es", "fr", "it", "pt") if f" {lang}" in e.text
    }
    assert len(languages) >= 3, languages  # real coverage, in several languages
    _no_console_errors(driver)
    _shot(driver, folder, "timeline")
    widest = max(entries, key=lambda e: int(e.find_element(By.CSS_SELECTOR, ".outlets").text.split()[0]))
    widest.find_element(By.LINK_TEXT, "details").click()
    rows = driver.find_elements(By.CSS_SELECTOR, "tbody tr")  # type: ignore[attr-defined]
    assert len(rows) >= 5 and all(r.find_elements(By.TAG_NAME, "a") for r in rows)
    assert not [r for r in rows if "?" in r.find_elements(By.TAG_NAME, "td")[1].text]  # every language known
    _no_console_errors(driver)
    _shot(driver, folder, "development")

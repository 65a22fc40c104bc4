"""The slides work with no network: reveal.js comes from the build folder, one slide per screen.

Builds chapter 01's deck with ``scripts/make_slides.py`` and opens it in Chromium with the
network switched off (Playwright's offline context): every script the deck needs must be the
local copy under ``vendor/``, or reveal.js never starts and the deck is one long page.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from browser import CHROMIUM_ARGS, chromium_path

from lib.config import PROJECT_ROOT

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1280, "height": 800}


def test_a_deck_opened_offline_shows_one_slide_per_screen(tmp_path):
    if chromium_path() is None:
        pytest.skip("needs Chromium (apt-get install chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    built = subprocess.run(
        [
            sys.executable,
            str(PROJECT_ROOT / "scripts" / "make_slides.py"),
            "--output-dir",
            tmp_path,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    deck = tmp_path / "01_train_a_model.slides.html"
    html = deck.read_text()
    assert 'src="vendor/require.js"' in html and "vendor/reveal.js/dist/reveal.js" in html
    assert (tmp_path / "vendor" / "reveal.js" / "dist" / "reveal.js").is_file()

    failed: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        context = browser.new_context(offline=True, viewport=VIEWPORT)
        page = context.new_page()
        page.on("requestfailed", lambda r: failed.append(r.url))
        page.goto(deck.as_uri())
        page.wait_for_selector(".reveal.ready", timeout=30_000)  # reveal.js initialised
        state = page.evaluate(
            """() => ({
                slides: document.querySelectorAll('.slides > section').length,
                present: document.querySelectorAll('.slides > section.present').length,
                scroll: document.scrollingElement.scrollHeight,
                height: window.innerHeight,
            })"""
        )
        page.keyboard.press("ArrowRight")
        page.wait_for_selector(".slides > section:nth-child(2).present", timeout=10_000)
        browser.close()
    assert state["slides"] > 5, state
    assert state["present"] == 1, state
    assert state["scroll"] <= state["height"] + 1, state  # one screen, not one long page
    local_failures = [u for u in failed if u.startswith("file:")]
    assert local_failures == [], local_failures

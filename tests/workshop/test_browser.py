"""A learner's first ten minutes: chapter 01 opened in JupyterLab in Chromium, Run All, no errors.

Needs Debian's Chromium (``apt-get install chromium``) and the ``playwright`` package (dev
extras). Without them it skips locally; ``.ci/run`` installs both, and fails on any skip.
"""

from __future__ import annotations

import os
import shutil

import pytest
from browser import chromium_path, jupyterlab, run_all_in_browser

from lib.config import BUILD_DIR, NOTEBOOKS_DIR
from workshop.record import read_records

pytestmark = pytest.mark.browser

CHAPTER = "01_train_a_model.ipynb"


def _require_browser() -> None:
    missing = []
    if chromium_path() is None:
        missing.append("Chromium (apt-get install chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing.append("playwright (pip install -e '.[dev]')")
    if missing:  # .ci/run installs both and sets KIT_NO_SKIPS=1, so CI fails here instead
        pytest.skip("browser test needs " + " and ".join(missing))


def test_chapter_01_runs_all_cells_in_a_real_browser(zenml_store, tmp_path):
    _require_browser()
    root = tmp_path / "lab"
    root.mkdir()
    shutil.copy(NOTEBOOKS_DIR / CHAPTER, root / CHAPTER)  # the learner's copy; the repo stays clean
    screenshot = BUILD_DIR / "browser" / "01_train_a_model.png"
    with jupyterlab(root, tmp_path) as lab:
        result = run_all_in_browser(
            lab, CHAPTER, screenshot, timeout=float(os.environ.get("KIT_BROWSER_TIMEOUT", 600))
        )
    assert result.errors == [], result.errors
    assert result.executed_cells == result.code_cells > 0
    assert screenshot.is_file() and screenshot.stat().st_size > 10_000
    records = read_records(result.notebook)
    assert records["model_name"] == "breast_cancer_classifier"
    assert records["metrics"]["accuracy"] > 0.9
    print(f"browser run: {result.seconds:.0f} s, screenshot {screenshot}")


def test_make_lab_shows_notebooks_and_exercises_and_opens_an_exercise(tmp_path):
    """``scripts/lab.py`` (what ``make lab`` runs): the learner's path, clicked in Chromium."""
    _require_browser()
    import secrets
    import subprocess
    import sys
    import time
    import urllib.request

    from browser import CHROMIUM_ARGS, _stop_group
    from playwright.sync_api import sync_playwright

    from governance.health import free_port
    from lib.config import PROJECT_ROOT

    token, port = secrets.token_hex(8), free_port()
    env = {**os.environ, "LAB_PORT": str(port), "LAB_TOKEN": token, "LAB_NO_BROWSER": "1"}
    log = (tmp_path / "lab.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "lab.py")],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.goto(f"{url}/?token={token}")  # the start page make lab opens
            listing = page.locator(".jp-DirListing-content")
            listing.get_by_text("01_train_a_model.ipynb", exact=True).wait_for(timeout=120_000)
            assert "/lab/tree/notebooks" in page.url  # make lab opens on the chapters
            page.locator(".jp-BreadCrumbs-home").click()
            for folder in ("workshop", "exercises"):
                listing.get_by_text(folder, exact=True).dblclick()
            listing.get_by_text("01_train_a_model.ipynb", exact=True).dblclick()
            page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=120_000)
            title = page.locator(
                "#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel"
            )
            assert title.first.inner_text() == "01_train_a_model.ipynb"
            assert "workshop/exercises/01_train_a_model.ipynb" in page.url
            assert page.get_by_text("official Jupyter news").count() == 0  # no news pop-up
            screenshot = BUILD_DIR / "browser" / "lab_exercise.png"
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot))
            browser.close()
    finally:
        _stop_group(proc)
        log.close()

"""A learner's first ten minutes: chapter 01 opened in JupyterLab in Chromium, Run All, no errors.

Needs Debian's Chromium (``apt-get install chromium``) and the ``playwright`` package (dev
extras). Without them it skips locally; ``.ci/run`` installs both, and fails on any skip.
"""

from __future__ import annotations

import os
import shutil

import pytest

from lib.config import BUILD_DIR, NOTEBOOKS_DIR
from lib.workshop.browser import chromium_path, jupyterlab, run_all_in_browser
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

"""nbmake: a smoke run of chapter 00, and a guard against nbmake's false pass under ZenML's rich
traceback.

Chapters 01-07 run once per session, under papermill, in the chapter chain
(``tests/notebooks/conftest.py``); the smoke run shows that a chapter also passes when nbmake runs
it from the notebook's own folder, without papermill's parameters.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from lib.config import NOTEBOOKS_DIR, PROJECT_ROOT

pytestmark = pytest.mark.notebook


def _nbmake(*paths: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "ZENML_ENABLE_RICH_TRACEBACK": "false"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--nbmake",
            "-p",
            "no:cacheprovider",
            "-q",
            "--rootdir",
            str(paths[0].parent),
            *map(str, paths),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_chapter_00_passes_under_nbmake(zenml_store):
    result = _nbmake(NOTEBOOKS_DIR / "00_setup_check.ipynb")
    assert result.returncode == 0, result.stdout[-4000:]
    assert "1 passed" in result.stdout


def test_a_raising_notebook_is_reported_as_failed(tmp_path, zenml_store):
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("import lib\nimport zenml"),
            nbformat.v4.new_code_cell("raise RuntimeError('this cell must fail the notebook')"),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = tmp_path / "raises.ipynb"
    nbformat.write(nb, path)
    result = _nbmake(path)
    assert result.returncode != 0, result.stdout
    assert "1 failed" in result.stdout

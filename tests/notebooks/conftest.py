"""Fixtures for running chapter notebooks with papermill against the test store."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from lib.config import NOTEBOOKS_DIR
from workshop.record import read_records


def _executor(folder: Path) -> Callable[..., dict]:
    import papermill as pm

    def _run(stem: str, **parameters) -> dict:
        # The first run of a chapter is <stem>.ipynb; later runs of it get -2, -3, ...
        output, n = folder / f"{stem}.ipynb", 1
        while output.exists():
            n += 1
            output = folder / f"{stem}-{n}.ipynb"
        pm.execute_notebook(
            str(NOTEBOOKS_DIR / f"{stem}.ipynb"),
            str(output),
            parameters=parameters,
            kernel_name="python3",
            cwd=str(NOTEBOOKS_DIR),
            progress_bar=False,
        )
        return read_records(output)

    return _run


@pytest.fixture
def run_chapter(zenml_store: Path, tmp_path: Path) -> Callable[..., dict]:
    """Execute a chapter with papermill and return the values it recorded.

    The kernel inherits this process's environment, so it uses the temporary test store. A cell
    error fails the test with papermill's message (chapter, cell and error).
    """
    return _executor(tmp_path)


@pytest.fixture(scope="module")
def run_chapter_module(zenml_store: Path, tmp_path_factory) -> Callable[..., dict]:
    """:func:`run_chapter` for module-scoped fixtures: one chapter run shared by many tests."""
    return _executor(tmp_path_factory.mktemp("chapters"))

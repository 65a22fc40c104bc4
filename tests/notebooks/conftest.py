"""Fixtures for running chapter notebooks with papermill against the test store.

``chain`` is the session's one run of the chapter chain, 00 to 07 in order; chapter tests assert
on what it recorded. ``run_chapter`` runs a chapter again for a test that changes its parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from chapter_chain import CHAIN_LEARNER, Chain, execute


def _executor(folder: Path) -> Callable[..., dict]:
    def _run(stem: str, **parameters) -> dict:
        # The first run of a chapter is <stem>.ipynb; later runs of it get -2, -3, ...
        output, n = folder / f"{stem}.ipynb", 1
        while output.exists():
            n += 1
            output = folder / f"{stem}-{n}.ipynb"
        return execute(stem, output, parameters)

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


@pytest.fixture(scope="session")
def chain(zenml_store: Path, tmp_path_factory) -> Chain:
    """The session's chapter chain on this worker's store.

    Every test that uses it runs on one pytest-xdist worker, first (``tests/xdist_groups.py``).
    """
    return Chain(tmp_path_factory.mktemp("chain"), CHAIN_LEARNER)

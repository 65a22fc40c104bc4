"""A chapter that fails in the chain fails its tests with papermill's message, and every later
chapter's tests at once, without running them.

Three small notebooks stand in for chapters, so the failure is the chain's own behaviour.
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
from chapter_chain import Chain, Step

pytestmark = pytest.mark.notebook


def _notebook(folder: Path, stem: str, code: str) -> None:
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell('LEARNER = ""', metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell(code),
            nbformat.v4.new_code_cell(
                "from workshop.record import record\nrecord(learner=LEARNER)",
                metadata={"tags": ["record"]},
            ),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, folder / f"{stem}.ipynb")


def test_a_failing_chapter_fails_its_tests_and_the_later_ones_at_once(tmp_path):
    notebooks, out = tmp_path / "notebooks", tmp_path / "out"
    notebooks.mkdir(), out.mkdir()
    _notebook(notebooks, "a", "x = 1")
    _notebook(notebooks, "b", "raise RuntimeError('cell two of b is broken')")
    _notebook(notebooks, "c", "y = 2")
    steps = tuple(Step(stem, stem, {}) for stem in "abc")
    chain = Chain(out, "tester", steps, notebooks=notebooks)

    assert chain["a"] == {"learner": "tester"}
    with pytest.raises(pytest.fail.Exception) as failed:
        chain["b"]
    message = str(failed.value)
    assert f"chapter b failed in the chain ({chain.output('b')})" in message
    # papermill's message: the cell (after the parameters cell papermill injects) and the error
    assert 'Exception encountered at "In [3]"' in message
    assert "RuntimeError: cell two of b is broken" in message

    started = time.monotonic()
    with pytest.raises(pytest.fail.Exception) as skipped:
        chain["c"]
    assert time.monotonic() - started < 1  # no kernel started
    assert str(skipped.value) == f"not run: {message}"
    assert not chain.output("c").exists()
    assert chain["a"] == {"learner": "tester"}  # what ran before the failure still reads

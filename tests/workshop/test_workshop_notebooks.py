"""Generated notebooks under papermill: solutions pass, unsolved checks fail, learners coexist.

Chapter 01's solution and exercise notebooks run once each, as two learners on one store, so
three promises are checked for the price of two runs.

The other chapters' solution notebooks are deliberately not run here. A solution notebook is
its chapter plus a banner cell, generated from the chapter (into ``state/build/solutions/``,
and here into the test's own folder). So each chapter's own papermill test in
``tests/notebooks/`` already executes every solution cell and its check, and asserts that the
check recorded a pass (``check_<exercise>``). Running the copies again would
double the slowest tests (chapter 05 alone takes minutes) and prove nothing new. One unsolved
run, chapter 01's, is enough to show that a check cell reports failure instead of crashing.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import papermill as pm
import pytest
from zenml.client import Client
from zenml.utils.pagination_utils import depaginate

from lib.config import PROJECT_ROOT
from workshop.checks import check_key
from workshop.exercises import build_notebooks, find_exercises
from workshop.record import read_records

pytestmark = pytest.mark.notebook

WORKSHOP = PROJECT_ROOT / "workshop"
FIRST = "01_train_a_model"


def _execute(kind: str, stem: str, out_dir: Path, **parameters) -> dict:
    source = WORKSHOP / kind / f"{stem}.ipynb"
    if kind == "solutions":  # build output: generated from the chapter, as `make exercises` does
        source = out_dir / "solutions" / f"{stem}.ipynb"
        source.parent.mkdir(exist_ok=True)
        nbformat.write(
            build_notebooks(PROJECT_ROOT / "notebooks" / source.name)["solutions"], source
        )
    output = out_dir / f"{kind}-{stem}.ipynb"
    pm.execute_notebook(
        str(source),
        str(output),
        parameters=parameters,
        kernel_name="python3",
        cwd=str(source.parent),
        progress_bar=False,
    )
    records = read_records(output)
    # the record cell is left out of exercises and solutions: note what the run itself shows
    cells = [c for c in nbformat.read(output, as_version=4).cells if c.cell_type == "code"]
    records["_last_cell_ran"] = cells[-1].get("execution_count") is not None
    return records


def _check_results(stem: str, records: dict) -> dict[str, bool]:
    exercises = find_exercises(PROJECT_ROOT / "notebooks" / f"{stem}.ipynb")
    keys = [k for k in records if k.startswith("check_")]
    assert len(keys) == len(exercises), (keys, exercises)
    return {k: records[k] for k in keys}


@pytest.fixture(scope="module")
def two_learners(zenml_store, tmp_path_factory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("workshop-runs")
    return {
        "ada": _execute("solutions", FIRST, out, LEARNER="ada"),
        "grace": _execute("exercises", FIRST, out, LEARNER="grace"),
    }


def test_solution_notebook_passes_every_check(two_learners):
    results = _check_results(FIRST, two_learners["ada"])
    assert all(results.values()), results


def test_unsolved_exercise_runs_to_the_end_and_every_check_fails(two_learners):
    records = two_learners["grace"]
    results = _check_results(FIRST, records)
    assert not any(results.values()), results
    assert records[check_key("predict_branches")] is False
    assert records["_last_cell_ran"]


def test_two_learners_on_one_store_each_get_their_own_model(two_learners):
    client = Client()
    for learner in two_learners:
        name = f"breast_cancer_classifier_{learner}"
        versions = depaginate(client.list_model_versions, model=name)
        # numbered from 1 in each learner's own model: the other learner's runs do not count
        assert sorted(v.number for v in versions)[:2] == [1, 2], (learner, versions)
        assert client.get_model_version(name, "1").run_metadata["variant"] == "original"

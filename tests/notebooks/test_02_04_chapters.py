"""Chapters 02-04 in the session's chain, then 03 and 04 again with the same end state; guards.

The chain runs chapter 01 before them, and 03 and 04 a second time before chapter 05.
"""

from __future__ import annotations

import re
from pathlib import Path

import papermill as pm
import pytest

from lib.config import model_name

pytestmark = pytest.mark.notebook

TRAIN, EXPLORE, PROMOTE, COMPARE = (
    "01_train_a_model",
    "02_explore_model_control_plane",
    "03_promote_to_staging",
    "04_champion_vs_challenger",
)


def test_chapters_02_to_04_in_order_then_again_give_the_same_end_state(chain):
    trained = chain[TRAIN]
    newest = trained["staging_model_version"]  # chapter 01's newest version

    explored = chain[EXPLORE]
    assert explored["version"] == newest and explored["ledger_entries"] == 0
    assert explored["stages"] == {trained["model_version"]: "", newest: ""}
    assert explored["lineage_reaches_model"]
    assert explored["lineage_runs"] == [trained["staging_run_name"]]
    assert {"code", "data", "model"} <= set(explored["upstream_kinds"])
    assert explored["check_best_staging_candidate"] is True  # the exercise's solution passes
    assert Path(explored["audit_pack"]).is_file()

    first = chain[PROMOTE]
    candidate, baseline, experiment = first["candidate"], first["baseline"], first["experiment"]
    assert candidate == newest and len({candidate, baseline, experiment}) == 3
    assert first["refusal_type"] == "PromotionRefused"
    assert re.search(
        r"recall minimum: observed 0\.7\d+, expected >= 0\.9", first["refusal_message"]
    )
    assert re.search(r"f1 minimum: observed 0\.8\d+, expected >= 0\.9", first["refusal_message"])
    assert first["stages_after_refusal"] == first["stages_before"]
    assert first["stages_before"] == {"staging": [], "production": [baseline]}
    assert first["stages_after"] == {"staging": [candidate], "production": [baseline]}
    assert first["decisions"] == [
        [1, baseline, "promoted", "production"],
        [2, experiment, "refused", "staging"],
        [3, candidate, "refused", "staging"],  # the exercise: a stricter copy of the policy
        [4, candidate, "promoted", "staging"],
    ]
    assert first["check_refuse_on_accuracy"] is True
    assert first["ledger_problems"] == []

    compared = chain[COMPARE]
    assert (compared["champion"], compared["challenger"]) == (baseline, candidate)
    assert compared["recommendation"] == "promote" and compared["n_rows"] == 143
    assert 0.9 <= compared["agreement"] < 1 and compared["deltas"]["f1"] > 0
    assert compared["check_decide_on_conflicting_evidence"] is True

    again = chain[f"{PROMOTE} again"]
    assert (again["candidate"], again["baseline"], again["experiment"]) == (
        candidate,
        baseline,
        experiment,
    )
    assert again["stages_after"] == first["stages_after"]
    assert again["decisions"][:4] == first["decisions"]  # appended to, never rewritten
    assert again["check_refuse_on_accuracy"] is True  # the exercise can be run again
    assert again["ledger_problems"] == []
    compared_again = chain[f"{COMPARE} again"]
    keys = ("champion", "challenger", "recommendation", "agreement", "deltas", "mcnemar_p")
    for key in (*keys, "check_decide_on_conflicting_evidence"):
        assert compared_again[key] == compared[key], key


def _stopped_at_guard(stem: str, tmp_path: Path, **parameters) -> pm.PapermillExecutionError:
    with pytest.raises(pm.PapermillExecutionError) as stopped:
        pm.execute_notebook(
            str(Path(__file__).resolve().parents[2] / "notebooks" / f"{stem}.ipynb"),
            str(tmp_path / f"{stem}.ipynb"),
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
        )
    return stopped.value


def test_each_chapter_stops_at_its_guard_naming_the_chapter_to_run(zenml_store, tmp_path):
    from zenml.client import Client

    for stem in (EXPLORE, PROMOTE):
        error = _stopped_at_guard(stem, tmp_path, LEARNER="nomodel")
        assert error.ename == "ChapterPrerequisiteError"
        assert "run 01 · Train a model first" in error.evalue

    # a version exists but nothing holds staging: chapter 04 asks for chapter 03
    Client().create_model(name=model_name("nostage"))
    Client().create_model_version(model_name_or_id=model_name("nostage"))
    error = _stopped_at_guard(COMPARE, tmp_path, LEARNER="nostage")
    assert error.ename == "ChapterPrerequisiteError"
    assert "holds staging yet: run 03 · Promote to staging first" in error.evalue

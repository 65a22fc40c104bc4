"""Chapter 06 under papermill: scoring by stage on production, a refused batch, drift, lineage.

The prerequisites (a staging candidate, then its release into production) are made by calling
the functions chapters 01, 03 and 05 call; the chapter runs in embedded mode.
"""

import os

import pytest
from release_chain import release, stage_candidate
from zenml.client import Client

from governance.release.endpoints import endpoint
from lib.batch import SHIFTED_FEATURES
from lib.config import STATE_DIR

pytestmark = pytest.mark.notebook

CHAPTER = "06_batch_inference"
LEARNER = "rel06"


@pytest.fixture(scope="module")
def released(zenml_store):
    from governance.bundle import signing_key

    signing_key(STATE_DIR, create=True)
    staged = stage_candidate(LEARNER)
    source = endpoint(os.environ["ZENML_CONFIG_PATH"], "dev-staging", STATE_DIR)
    production = endpoint(str(STATE_DIR / "zenml" / "production"), "production", STATE_DIR)
    return staged, release(LEARNER, source, production, STATE_DIR)


def test_batch_is_scored_by_stage_and_traces_back_to_the_training_run(released, run_chapter):
    staged, production_version = released
    records = run_chapter(CHAPTER, LEARNER=LEARNER, MODE="embedded", N_ROWS=600)

    assert records["live_version"] == production_version
    assert records["run_model_version"] == production_version
    assert records["source_version"] == int(staged["candidate"])
    assert records["rows_scored"] == 600
    assert records["linked_to_version"] is True
    assert records["gate"]["passed"] == records["gate"]["total"] > 0
    assert "target" in records["gate_refusal"]
    assert records["normal_drifted"] is False
    assert records["shifted_drifted"] is True
    assert set(SHIFTED_FEATURES) <= set(records["shifted_alerting"])
    assert records["check_predict_drift"] is True  # the exercise's solution passes its check

    # the trace ends at the training run of the source version, in this (dev-staging) store
    model = records["model_name"]
    source = Client().get_model_version(model, staged["candidate"])
    training_run_id = str(source.get_model_artifact("model").producer_pipeline_run_id)
    assert records["trace_training_run_id"] == training_run_id
    assert records["trace_source_model_version"] == int(staged["candidate"])
    assert Client().get_pipeline_run(training_run_id).name == records["trace_training_run_name"]
    sides = [hop["side"] for hop in records["trace"]]
    assert sides[:3] == ["production"] * 3 and "dev-staging" in sides

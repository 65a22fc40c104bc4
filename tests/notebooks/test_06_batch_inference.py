"""Chapter 06 in the session's chain: scoring by stage on production, a refused batch, drift,
lineage.

The chain ran chapters 01-05 before it (a staging candidate, then its release into production);
the chapter runs in embedded mode, with its default batch size.
"""

import pytest
from zenml.client import Client

from lib.batch import SHIFTED_FEATURES

pytestmark = pytest.mark.notebook

CHAPTER = "06_batch_inference"
N_ROWS = 1000  # the chapter's default batch size


@pytest.fixture(scope="module")
def released(chain):
    staged = {"candidate": chain["03_promote_to_staging"]["candidate"]}
    return staged, chain["05_promote_to_production"]["production_version"]


def test_batch_is_scored_by_stage_and_traces_back_to_the_training_run(released, chain):
    staged, production_version = released
    records = chain[CHAPTER]

    assert records["live_version"] == production_version
    assert records["run_model_version"] == production_version
    assert records["source_version"] == int(staged["candidate"])
    assert records["rows_scored"] == N_ROWS
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

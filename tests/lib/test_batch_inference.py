"""Batch inference by stage: gated batch, predictions linked to version and run, drift."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lib.batch import SHIFTED_FEATURES, make_batch

SUFFIX = "batch"


@pytest.mark.unit
def test_generated_batches_pass_the_data_quality_rules_and_shift_on_request():
    from governance.checks import check_data_quality, failed
    from governance.policy import load_policy

    batch = make_batch(2000, random_state=3)
    assert failed(check_data_quality(batch, load_policy().data_quality)) == []
    shifted = make_batch(2000, drift_shift=0.3, random_state=3)
    for column in SHIFTED_FEATURES:
        assert shifted[column].mean() == pytest.approx(1.3 * batch[column].mean())


@pytest.fixture(scope="module")
def production_version(zenml_store):
    """A production version with a model and its drift reference, as an import leaves it."""
    from zenml import Model, link_artifact_to_model, save_artifact
    from zenml.client import Client
    from zenml.enums import ArtifactType

    from governance.drift import reference_profile
    from lib.config import model_name
    from lib.data import TARGET, load_frame
    from lib.modeling import fit_model
    from lib.preprocessing import build_preprocessor

    frame = load_frame("original")
    features = frame.drop(columns=[TARGET])
    model = fit_model(build_preprocessor(features, 50, 0.95, 42), features, frame[TARGET])
    name = model_name(SUFFIX)
    Client().create_model(name=name)
    version = Client().create_model_version(model_name_or_id=name, name="imported-v1")
    target = Model(name=name, version="imported-v1")
    link_artifact_to_model(
        save_artifact(model, name="model", artifact_type=ArtifactType.MODEL), model=target
    )
    link_artifact_to_model(
        save_artifact(reference_profile(features), name="reference_profile"), model=target
    )
    version.set_stage("production", force=True)
    return version


def _run(**parameters):
    from zenml.client import Client

    from governance.environments import governed
    from lib.pipelines.batch_inference import batch_inference_pipeline, production_model

    pipeline = governed(
        batch_inference_pipeline.with_options(model=production_model(SUFFIX)), "production"
    )
    return Client().get_pipeline_run(pipeline(**parameters).id)


@pytest.mark.pipeline
def test_batch_is_scored_by_stage_and_linked_to_version_and_run(production_version, tmp_path):
    from zenml.client import Client

    path = tmp_path / "batch.parquet"
    make_batch(1500, random_state=5).to_parquet(path)
    run = _run(input_path=str(path))
    assert run.status.value == "completed"
    assert run.model_version.id == production_version.id
    predictions_artifact = run.steps["score_batch"].outputs["predictions"][0]
    predictions = predictions_artifact.load()
    assert isinstance(predictions, pd.DataFrame) and len(predictions) == 1500
    assert set(predictions["predicted"]) <= {"malignant", "benign"}
    assert (Path(predictions_artifact.uri) / "data.parquet").is_file()
    assert predictions_artifact.run_metadata["rows"] == 1500
    linked = Client().list_artifact_versions(model_version_id=production_version.id, size=100)
    assert predictions_artifact.id in {a.id for a in linked.items}
    drift = run.steps["check_drift"].outputs["drift_report"][0].load()
    assert drift["drifted"] is False
    assert run.run_metadata["drift"]["n_alert"] == 0


@pytest.mark.pipeline
def test_a_shifted_batch_is_reported_as_drifted_and_still_scored(production_version):
    run = _run(n_rows=1500, drift_shift=0.4)
    drift = run.steps["check_drift"].outputs["drift_report"][0].load()
    assert drift["drifted"] is True
    alerting = {name for name, f in drift["features"].items() if f["status"] == "alert"}
    assert set(SHIFTED_FEATURES) <= alerting
    assert run.steps["score_batch"].outputs["predictions"][0].run_metadata["rows"] == 1500


@pytest.mark.pipeline
def test_a_refused_batch_is_never_scored(production_version, tmp_path):
    from zenml.client import Client

    from governance.checks import GateError

    path = tmp_path / "unlabelled.parquet"
    make_batch(1500, random_state=6).drop(columns=["target"]).to_parquet(path)
    with pytest.raises(GateError, match="column target present"):
        _run(input_path=str(path))
    run = Client().get_pipeline("batch_inference_pipeline").last_run
    assert run.status.value == "failed"
    assert "score_batch" not in run.steps and "check_drift" not in run.steps
    report = run.steps["gate_data_quality"].run_metadata["data_quality"]
    assert report["passed"] is False and report["enforced"] is True

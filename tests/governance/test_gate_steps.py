"""The gate steps in real ZenML runs: they block where the policy enforces and record why."""

from typing import Annotated

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer
from zenml import Model, pipeline, step
from zenml.client import Client

from governance.checks import GateError
from governance.environments import governed
from governance.steps import validate_data_quality, validate_model_performance

pytestmark = pytest.mark.pipeline

TAGS = ["use_case:breast_cancer", "owner_team:ml-platform"]


@step
def make_frame(kind: str) -> Annotated[pd.DataFrame, "dataset"]:
    frame = load_breast_cancer(as_frame=True).frame
    if kind == "bad":
        frame = frame.head(100).copy()
        frame.loc[frame.index[:60], "mean texture"] = np.nan  # 2 % of cells
        frame["mean area"] = -5.0
        frame = frame.drop(columns=["worst symmetry"])
    return frame


@pipeline(dynamic=True, enable_cache=False)
def data_gate_pipeline(kind: str = "good") -> None:
    validate_data_quality(make_frame(kind))


@step
def make_metrics(f1: float) -> Annotated[dict, "metrics"]:
    return {"accuracy": 0.97, "precision": 0.95, "recall": 0.96, "f1": f1, "roc_auc": 0.99}


@pipeline(dynamic=True, enable_cache=False)
def performance_gate_pipeline(f1: float = 0.95) -> None:
    validate_model_performance(make_metrics(f1))


def model(suffix: str) -> Model:
    return Model(name=f"breast_cancer_classifier_{suffix}", tags=TAGS)


def last_run(pipeline_name: str):
    return Client().get_pipeline(pipeline_name).last_run


def test_bad_data_fails_the_staging_run_listing_every_check(zenml_store):
    runnable = governed(data_gate_pipeline.with_options(model=model("dq_staging")), "staging")
    with pytest.raises(GateError) as refused:
        runnable(kind="bad")
    message = str(refused.value)
    for check in (
        "row count",
        "missing share",
        "column mean area min",
        "column worst symmetry present",
    ):
        assert check in message
    assert "4 check(s) failed" in message

    run = last_run("data_gate_pipeline")
    assert run.status.value == "failed"
    report = run.steps["validate_data_quality"].run_metadata["data_quality"]
    assert report["passed"] is False and report["enforced"] is True
    assert len(report["failed_checks"]) == 4
    version = Client().get_model_version("breast_cancer_classifier_dq_staging", "latest")
    assert version.run_metadata["data_quality"]["failed_checks"] == report["failed_checks"]


def test_dev_reports_bad_data_without_blocking(zenml_store):
    run = governed(data_gate_pipeline.with_options(model=model("dq_dev")), "dev")(kind="bad")
    assert run.status.value == "completed"
    step_run = Client().get_pipeline_run(run.id).steps["validate_data_quality"]
    report = step_run.run_metadata["data_quality"]
    assert report["environment"] == "dev"
    assert report["passed"] is False and report["enforced"] is False


def test_validated_data_is_stored_as_parquet_with_its_profile(zenml_store):
    run = governed(data_gate_pipeline.with_options(model=model("dq_parquet")), "dev")()
    artifact = (
        Client()
        .get_pipeline_run(run.id)
        .steps["validate_data_quality"]
        .outputs["validated_dataset"][0]
    )
    assert artifact.materializer.import_path.endswith("DataFrameParquetMaterializer")
    expected = load_breast_cancer(as_frame=True).frame
    metadata = artifact.run_metadata
    assert metadata["rows"] == 569 and metadata["columns"] == 31
    assert metadata["missing_share"] == 0.0
    assert len(metadata["content_sha256"]) == 64
    loaded = artifact.load()
    pd.testing.assert_frame_equal(loaded, expected)
    from governance.materializers.dataframe import content_sha256

    assert metadata["content_sha256"] == content_sha256(expected)


def test_performance_gate_follows_the_policy_file(zenml_store, edit_policy):
    runnable = governed(
        performance_gate_pipeline.with_options(model=model("perf_policy")), "staging"
    )
    assert runnable(f1=0.95).status.value == "completed"

    edit_policy({"performance.staging.f1": 0.96})
    with pytest.raises(GateError, match=r"f1 minimum: observed 0.95, expected >= 0.96"):
        runnable(f1=0.95)
    report = last_run("performance_gate_pipeline").steps["validate_model_performance"]
    assert report.run_metadata["performance_gate"]["failed_checks"] == ["f1 minimum"]


def test_production_applies_the_stricter_thresholds(zenml_store):
    runnable = governed(
        performance_gate_pipeline.with_options(model=model("perf_prod")), "production"
    )
    with pytest.raises(GateError, match="production thresholds"):
        runnable(f1=0.92)  # passes staging's 0.90, not production's 0.93

"""The gate steps in real ZenML runs: they block where the policy enforces and record why."""

from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer
from zenml import Model, pipeline, step
from zenml.client import Client

from governance.checks import GateError
from governance.environments import governed
from governance.materializers import DataFrameParquetMaterializer
from governance.steps import gate_data_quality, validate_data_quality, validate_model_performance

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


@pipeline(dynamic=True, enable_cache=False)
def report_gate_pipeline(kind: str = "good") -> None:
    dataset = make_frame(kind)
    gate_data_quality(dataset)
    frame_size(dataset)


@step
def frame_size(dataset: pd.DataFrame) -> Annotated[int, "size"]:
    return int(dataset.size)


@step(output_materializers=DataFrameParquetMaterializer)
def stored_frame() -> Annotated[pd.DataFrame, "stored"]:
    return load_breast_cancer(as_frame=True).frame


@step
def change_in_place(dataset: pd.DataFrame) -> Annotated[float, "changed_sum"]:
    dataset["mean area"] *= 0  # a careless step; its input artifact must not change
    dataset.loc[dataset.index[0], "mean radius"] = -1.0
    return float(dataset["mean area"].sum())


@step
def area_sum(dataset: pd.DataFrame) -> Annotated[float, "area_sum"]:
    return float(dataset["mean area"].sum())


@pipeline(dynamic=True, enable_cache=False)
def handoff_pipeline() -> None:
    frame = stored_frame()
    change_in_place(frame)
    area_sum(frame)


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
    stored = pd.read_parquet(Path(artifact.uri) / "data.parquet")  # the file, not a handoff
    pd.testing.assert_frame_equal(stored, expected)
    from governance.materializers.dataframe import content_sha256

    assert metadata["content_sha256"] == content_sha256(expected)


def test_report_gate_refuses_before_the_next_step_and_returns_its_report(zenml_store):
    runnable = governed(report_gate_pipeline.with_options(model=model("dq_report")), "staging")
    with pytest.raises(GateError, match="4 check"):
        runnable(kind="bad")
    refused = last_run("report_gate_pipeline")
    assert "frame_size" not in refused.steps
    assert refused.steps["gate_data_quality"].run_metadata["data_quality"]["n_failed"] == 4

    run = Client().get_pipeline_run(runnable(kind="good").id)
    report = run.steps["gate_data_quality"].outputs["data_quality_report"][0].load()
    assert report["passed"] is True and report["rows"] == 569
    assert run.steps["frame_size"].outputs["size"][0].load() == 569 * 31


def test_a_frame_handed_to_later_steps_in_process_is_the_stored_one(zenml_store):
    run = Client().get_pipeline_run(handoff_pipeline().id)
    expected = load_breast_cancer(as_frame=True).frame
    assert run.steps["change_in_place"].outputs["changed_sum"][0].load() == 0.0
    assert run.steps["area_sum"].outputs["area_sum"][0].load() == float(expected["mean area"].sum())
    artifact = run.steps["stored_frame"].outputs["stored"][0]
    pd.testing.assert_frame_equal(artifact.load(), expected)
    pd.testing.assert_frame_equal(pd.read_parquet(Path(artifact.uri) / "data.parquet"), expected)


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

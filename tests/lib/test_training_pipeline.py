"""The training pipeline on a temporary ZenML store: version, tags, metadata, model artifact."""

import pytest
from zenml.client import Client

from lib.data import frame_sha256, load_frame
from lib.display.training import TrainingSummary
from lib.pipelines import training_model, training_pipeline

pytestmark = pytest.mark.pipeline


@pytest.fixture(scope="module")
def wide_run(zenml_store):
    pipeline = training_pipeline.with_options(model=training_model("pipeline_test"))
    return pipeline(variant="wide")


def test_run_registers_a_version_with_the_required_tags(wide_run):
    mv = Client().get_pipeline_run(wide_run.id).model_version
    assert mv.model.name == "breast_cancer_classifier_pipeline_test"
    assert {t.name for t in mv.tags} >= {"use_case:breast_cancer", "owner_team:ml-platform"}


def test_version_metadata_records_provenance_metrics_and_branches(wide_run):
    mv = Client().get_pipeline_run(wide_run.id).model_version
    meta = mv.run_metadata
    assert meta["data_sha256"] == frame_sha256(load_frame("wide"))
    assert meta["git_commit"]  # a sha, sha-dirty, or "unknown" outside git
    assert meta["smote_applied"] is False and meta["pca_applied"] is True
    assert 0 < meta["pca_components"] < 50 and 0.95 <= meta["pca_explained_variance"] <= 1.0
    for metric in ("accuracy", "precision", "recall", "f1", "roc_auc"):
        assert 0.85 < meta[metric] <= 1.0, metric


def test_model_artifact_is_linked_and_applies_pca_on_raw_rows(wide_run):
    mv = Client().get_pipeline_run(wide_run.id).model_version
    model = mv.get_model_artifact("model").load()
    raw = load_frame("wide").drop(columns="target").head(4)
    assert model.predict_proba(raw).shape == (4, 2)
    assert "pca" in model.named_steps["preprocess"].named_steps


def test_summary_reads_the_branches_back(wide_run):
    summary = TrainingSummary.from_run(wide_run)
    assert summary.branches == {"smote": False, "pca": True}
    assert "PCA **ran**" in summary._repr_markdown_()


def test_data_artifacts_carry_the_platform_profile(wide_run):
    run = Client().get_pipeline_run(wide_run.id)
    dataset = run.steps["load_data"].outputs["dataset"][0]
    meta = dataset.run_metadata
    assert meta["rows"] == 569 and meta["columns"] == 61
    assert meta["missing_share"] == 0.0 and len(meta["content_sha256"]) == 64
    x_test = run.steps["split_data"].outputs["X_test"][0]
    assert x_test.run_metadata["rows"] == len(x_test.load())

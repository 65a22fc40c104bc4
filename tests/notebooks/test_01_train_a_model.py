"""Chapter 01 under papermill: the variants visibly trigger their preprocessing branches."""

import pytest
from zenml.client import Client

pytestmark = pytest.mark.notebook

CHAPTER = "01_train_a_model"


def test_imbalanced_variant_runs_smote_and_not_pca(run_chapter):
    records = run_chapter(CHAPTER, VARIANT="imbalanced", LEARNER="imb")
    assert records["branches"] == {"smote": True, "pca": False}
    assert records["model_name"] == "breast_cancer_classifier_imb"
    version = Client().get_model_version("breast_cancer_classifier_imb", records["model_version"])
    assert version.run_metadata["smote_applied"] is True
    assert version.run_metadata["variant"] == "imbalanced"


def test_wide_variant_runs_pca_and_not_smote(run_chapter):
    records = run_chapter(CHAPTER, VARIANT="wide", LEARNER="wide")
    assert records["branches"] == {"smote": False, "pca": True}
    version = Client().get_model_version("breast_cancer_classifier_wide", records["model_version"])
    assert version.run_metadata["pca_applied"] is True
    assert 0 < version.run_metadata["pca_components"] < 50


def test_chapter_shows_a_refusal_and_a_governed_staging_run(run_chapter):
    records = run_chapter(CHAPTER, LEARNER="gov")
    assert "owner_team" in records["refusal_message"]
    assert records["dev_hooks"] == 0
    assert records["staging_hooks"] > 0
    assert int(records["staging_model_version"]) > int(records["model_version"])
    assert records["metrics"]["accuracy"] > 0.9


def test_running_the_chapter_twice_gives_two_new_versions(run_chapter):
    first = run_chapter(CHAPTER, LEARNER="twice")
    second = run_chapter(CHAPTER, LEARNER="twice")
    assert int(second["model_version"]) > int(first["staging_model_version"])

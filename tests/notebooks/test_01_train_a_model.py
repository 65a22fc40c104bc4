"""Chapter 01 under papermill: the variants visibly trigger their preprocessing branches.

Two runs of the chapter, by the same learner, cover the whole chapter: the branch each
variant triggers, the refused badly tagged run, the governed staging run, and that running
the chapter again gives new versions without error.
"""

import pytest
from zenml.client import Client

pytestmark = pytest.mark.notebook

CHAPTER = "01_train_a_model"
LEARNER = "chapter01"
MODEL = f"breast_cancer_classifier_{LEARNER}"


@pytest.fixture(scope="module")
def imbalanced(zenml_store, run_chapter_module):
    return run_chapter_module(CHAPTER, VARIANT="imbalanced", LEARNER=LEARNER)


@pytest.fixture(scope="module")
def wide(imbalanced, run_chapter_module):
    return run_chapter_module(CHAPTER, VARIANT="wide", LEARNER=LEARNER)


def test_imbalanced_variant_runs_smote_and_not_pca(imbalanced):
    assert imbalanced["branches"] == {"smote": True, "pca": False}
    assert imbalanced["model_name"] == MODEL
    version = Client().get_model_version(MODEL, imbalanced["model_version"])
    assert version.run_metadata["smote_applied"] is True
    assert version.run_metadata["variant"] == "imbalanced"


def test_wide_variant_runs_pca_and_not_smote(wide):
    assert wide["branches"] == {"smote": False, "pca": True}
    version = Client().get_model_version(MODEL, wide["model_version"])
    assert version.run_metadata["pca_applied"] is True
    assert 0 < version.run_metadata["pca_components"] < 50


def test_chapter_shows_a_refusal_and_a_governed_staging_run(imbalanced):
    assert "owner_team" in imbalanced["refusal_message"]
    assert imbalanced["dev_hooks"] == 0
    assert imbalanced["staging_hooks"] > 0
    assert int(imbalanced["staging_model_version"]) > int(imbalanced["model_version"])
    assert imbalanced["metrics"]["recall"] > 0.9


def test_running_the_chapter_again_gives_new_versions(imbalanced, wide):
    assert int(wide["model_version"]) > int(imbalanced["staging_model_version"])

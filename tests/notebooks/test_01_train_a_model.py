"""Chapter 01 under papermill: the variants visibly trigger their preprocessing branches.

Two runs of the chapter, by the same learner, cover the whole chapter: the branch each
variant triggers (the second run with a non-default SMOTE threshold, which the governed staging
run must follow too), the refused badly tagged run that leaves the registry as it was, and that
running the chapter again gives new versions without error.
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
    # 0.40 is over the wide data's 37 % malignant share: SMOTE runs as well as PCA
    return run_chapter_module(CHAPTER, VARIANT="wide", LEARNER=LEARNER, SMOTE_THRESHOLD=0.40)


def test_imbalanced_variant_runs_smote_and_not_pca(imbalanced):
    assert imbalanced["branches"] == {"smote": True, "pca": False}
    assert imbalanced["model_name"] == MODEL
    version = Client().get_model_version(MODEL, imbalanced["model_version"])
    assert version.run_metadata["smote_applied"] is True
    assert version.run_metadata["variant"] == "imbalanced"


def test_wide_variant_with_a_higher_threshold_runs_pca_and_smote(wide):
    assert wide["branches"] == {"smote": True, "pca": True}
    version = Client().get_model_version(MODEL, wide["model_version"])
    assert version.run_metadata["pca_applied"] is True
    assert 0 < version.run_metadata["pca_components"] < 50


def test_chapter_shows_a_refusal_and_a_governed_staging_run(imbalanced):
    assert "owner_team" in imbalanced["refusal_message"]
    assert imbalanced["dev_hooks"] == 0
    assert imbalanced["staging_hooks"] > 0
    assert int(imbalanced["staging_model_version"]) > int(imbalanced["model_version"])
    assert imbalanced["metrics"]["recall"] > 0.9


def test_the_governed_staging_run_follows_the_chapters_parameters(imbalanced, wide):
    for chapter_run in (imbalanced, wide):
        assert chapter_run["staging_branches"] == chapter_run["branches"]
    staged = Client().get_model_version(MODEL, wide["staging_model_version"])
    assert staged.run_metadata["smote_applied"] is True


def test_a_refused_run_leaves_the_registry_as_it_was(imbalanced):
    # two refused runs came between the dev run and the staging run; each had a version
    # numbered when it started, and removed when it was refused
    assert int(imbalanced["staging_model_version"]) == int(imbalanced["model_version"]) + 1


def test_running_the_chapter_again_gives_new_versions(imbalanced, wide):
    assert int(wide["model_version"]) > int(imbalanced["staging_model_version"])

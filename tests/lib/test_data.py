"""Unit tests: the data variants trigger the branches they are meant to."""

import pytest

from lib.data import VARIANTS, frame_sha256, load_frame, minority_share
from lib.preprocessing import needs_pca, needs_smote

pytestmark = pytest.mark.unit


def test_original_triggers_neither_branch():
    frame = load_frame("original")
    assert frame.shape == (569, 31)
    assert not needs_smote(frame["target"]) and not needs_pca(frame.shape[1] - 1)


def test_imbalanced_triggers_smote_only():
    frame = load_frame("imbalanced")
    assert minority_share(frame["target"]) < 0.30
    assert needs_smote(frame["target"]) and not needs_pca(frame.shape[1] - 1)


def test_wide_triggers_pca_only():
    frame = load_frame("wide")
    assert frame.shape[1] - 1 > 50
    assert needs_pca(frame.shape[1] - 1) and not needs_smote(frame["target"])


def test_unknown_variant_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="original, imbalanced, wide"):
        load_frame("tall")


@pytest.mark.parametrize("variant", VARIANTS)
def test_variants_are_reproducible(variant):
    assert frame_sha256(load_frame(variant)) == frame_sha256(load_frame(variant))


def test_hash_changes_when_one_value_changes():
    frame = load_frame("original")
    changed = frame.copy()
    changed.iloc[0, 0] += 1e-9
    assert frame_sha256(frame) != frame_sha256(changed)


@pytest.mark.parametrize(
    ("learner", "expected"),
    [
        ("", "breast_cancer_classifier"),
        ("ada", "breast_cancer_classifier_ada"),
        ("Ada L.", "breast_cancer_classifier_ada_l"),
        ("  Team-2 ", "breast_cancer_classifier_team_2"),
    ],
)
def test_learner_suffix_always_gives_a_name_the_policy_accepts(learner, expected):
    from governance.checks import check_model_governance, failed
    from governance.policy import load_policy
    from lib.config import model_name

    name = model_name(learner)
    assert name == expected
    tags = ["use_case:breast_cancer", "owner_team:ml-platform"]
    assert not failed(check_model_governance(name, tags, load_policy().model))

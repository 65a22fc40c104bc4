"""The policy file is the single source of rules: it loads, validates and can be swapped."""

import re

import pytest
from pydantic import ValidationError

from governance.policy import METRIC_NAMES, PACKAGED_POLICY, Thresholds, load_policy, policy_path

pytestmark = pytest.mark.unit


def test_packaged_policy_loads_with_every_section():
    policy = load_policy()
    assert policy.source == str(PACKAGED_POLICY)
    assert len(policy.sha256) == 64
    assert set(policy.performance) == {"staging", "production"}
    assert set(policy.environments) == {"dev", "staging", "production"}
    assert policy.environment("dev").enforce is False
    assert policy.environment("staging").enforce is True
    assert policy.environment("production").stage == "production"


def test_one_list_of_metric_names_for_runs_thresholds_and_comparisons():
    assert METRIC_NAMES == ("accuracy", "precision", "recall", "f1", "roc_auc")
    assert tuple(Thresholds.model_fields) == METRIC_NAMES


def test_production_is_stricter_than_staging_on_every_metric():
    policy = load_policy()
    staging, production = policy.thresholds_for("staging"), policy.thresholds_for("production")
    assert set(staging) == set(production) == {"accuracy", "recall", "f1", "roc_auc"}
    assert all(production[m] > staging[m] for m in staging)


@pytest.mark.parametrize(
    "name, ok",
    [
        ("breast_cancer_classifier", True),
        ("breast_cancer_classifier_ada", True),
        ("breast_cancer_classifier_team_2", True),
        ("breast_cancer_classifier_", False),
        ("Breast_cancer_classifier", False),
        ("my_breast_cancer_classifier", False),
        ("breast_cancer_classifier-ada", False),
    ],
)
def test_name_pattern_accepts_the_kit_model_and_learner_suffixes(name, ok):
    assert (re.fullmatch(load_policy().model.name_pattern, name) is not None) is ok


def test_data_rules_fit_the_kit_data_and_its_variants():
    from sklearn.datasets import load_breast_cancer

    rules = load_policy().data_quality
    frame = load_breast_cancer(as_frame=True).frame
    assert list(rules.columns) == list(frame.columns)
    assert rules.min_rows <= 150  # the imbalanced variant keeps ~180 rows
    assert rules.allow_extra_columns  # the wide variant adds engineered columns


def test_explicit_path_beats_env_var_beats_packaged(tmp_path, monkeypatch, edit_policy):
    copy = edit_policy({"performance.staging.f1": 0.5})
    assert policy_path() == copy
    assert load_policy().thresholds_for("staging")["f1"] == 0.5
    assert load_policy(PACKAGED_POLICY).thresholds_for("staging")["f1"] == 0.90
    monkeypatch.delenv("KIT_POLICY_PATH")
    assert policy_path() == PACKAGED_POLICY


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"performance.staging.f1": 1.5}, "less than or equal to 1"),
        ({"environments.dev.enforce": "sometimes"}, "valid boolean"),
        ({"model.name_pattern": "(unclosed"}, "missing"),
        ({"data_quality.min_rowz": 10}, "Extra inputs are not permitted"),
        ({"champion_challenger.primary_metric": "auc"}, "'accuracy', 'precision', 'recall'"),
    ],
)
def test_a_malformed_policy_is_refused(edit_policy, changes, message):
    edit_policy(changes)
    with pytest.raises((ValidationError, Exception), match=message):
        load_policy()


def test_unknown_environment_is_refused():
    with pytest.raises(ValueError, match="unknown environment 'qa'"):
        load_policy().environment("qa")

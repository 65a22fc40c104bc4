"""The PR comment the staging workflow posts: metrics against thresholds, gates, decisions."""

import pytest

from governance.gitops import render_pr_comment
from governance.policy import load_policy

pytestmark = pytest.mark.unit


def _comment(**overrides):
    thresholds = load_policy().thresholds_for("staging")
    metadata = {
        "git_commit": "abc123",
        "data_sha256": "f" * 64,
        "variant": "original",
        "smote_applied": False,
        "pca_applied": True,
        "accuracy": 0.97,
        "recall": thresholds["recall"] - 0.01,
        "f1": 0.96,
        "performance_gate": {"passed": False, "n_checks": 4, "failed_checks": ["recall"]},
        "data_quality": {"passed": True, "n_checks": 98, "failed_checks": []},
    }
    args = dict(
        model="breast_cancer_classifier",
        version="7",
        stage="none",
        metadata=metadata,
        thresholds=thresholds,
        decisions=[
            {
                "sequence": 3,
                "decision": "refused",
                "to_stage": "staging",
                "actor": "ci:octocat",
                "gates": [{"name": "recall", "passed": False}, {"name": "f1", "passed": True}],
            }
        ],
    )
    args.update(overrides)
    return render_pr_comment(**args)


def test_comment_marks_each_metric_against_the_policy_minimum():
    text = _comment()
    recall_min = load_policy().thresholds_for("staging")["recall"]
    assert f"| recall | {recall_min - 0.01:.3f} | {recall_min:.3f} | ❌ |" in text
    assert "| accuracy | 0.970 |" in text and "✅" in text


def test_comment_names_failed_gates_and_the_refusal():
    text = _comment()
    assert "Model performance: FAILED: recall (4 checks)" in text
    assert "Data quality: passed (98 checks)" in text
    assert "#3 refused → `staging` by ci:octocat — failing gates: recall" in text


def test_comment_says_so_when_nothing_was_decided():
    assert "none recorded for this version" in _comment(decisions=[])
    assert "PCA ran" in _comment() and "SMOTE skipped" in _comment()

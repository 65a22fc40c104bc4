"""Champion vs challenger recommendations: promote, review or keep, from the policy."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from governance.policy import load_policy
from governance.recommendation import KEEP, PROMOTE, REVIEW, recommend

pytestmark = pytest.mark.unit

STRONG = {"accuracy": 0.98, "precision": 0.97, "recall": 0.97, "f1": 0.975, "roc_auc": 0.99}


def _comparison(**changes):
    base = {
        "agreement": 0.97,
        "mean_abs_prob_delta": 0.05,
        "deltas": {"accuracy": 0.02, "precision": 0.01, "recall": 0.02, "f1": 0.03, "roc_auc": 0.0},
        "mcnemar": {"p_value": 0.25, "champion_only_correct": 1, "challenger_only_correct": 4},
    }
    return {**base, **changes}


def test_a_better_consistent_challenger_is_promoted_with_reasons():
    rec = recommend(STRONG, _comparison())
    assert rec.decision == PROMOTE
    assert any("f1 changes by +0.0300" in r for r in rec.reasons)
    assert any("p = 0.25 (not below alpha 0.05)" in r for r in rec.reasons)
    assert rec.to_dict()["checks"]["agreement"]["passed"] is True


def test_a_challenger_under_the_production_bar_is_kept():
    rec = recommend({**STRONG, "recall": 0.92}, _comparison())
    assert rec.decision == KEEP
    assert "recall minimum: observed 0.92, expected >= 0.93" in rec.reasons[0]


def test_a_worse_challenger_is_kept():
    deltas = {**_comparison()["deltas"], "f1": -0.01}
    rec = recommend(STRONG, _comparison(deltas=deltas))
    assert rec.decision == KEEP and "not better" in rec.reasons[0]


def test_models_that_disagree_too_often_go_to_review():
    rec = recommend(STRONG, _comparison(agreement=0.85, mean_abs_prob_delta=0.2))
    assert rec.decision == REVIEW
    assert sum("behave differently" in r for r in rec.reasons) == 2


def test_conflicting_evidence_goes_to_review():
    mcnemar = {"p_value": 0.01, "champion_only_correct": 12, "challenger_only_correct": 2}
    rec = recommend(STRONG, _comparison(mcnemar=mcnemar))
    assert rec.decision == REVIEW and "significantly fewer errors" in rec.reasons[-1]


def test_without_a_champion_the_gates_alone_decide():
    assert recommend(STRONG, None).decision == PROMOTE
    assert "gates alone" in recommend(STRONG, None).reasons[0]
    assert recommend({**STRONG, "f1": 0.5}, None).decision == KEEP


@settings(max_examples=50, deadline=None)
@given(
    rule=st.sampled_from(["min_agreement", "max_mean_abs_prob_delta", "min_metric_delta"]),
    threshold=st.floats(min_value=0.01, max_value=0.99, allow_nan=False),
)
def test_each_rule_passes_exactly_at_its_threshold_and_fails_just_past_it(rule, threshold):
    policy = load_policy()
    rules = policy.champion_challenger.model_copy(update={rule: threshold})
    policy = policy.model_copy(update={"champion_challenger": rules})
    outside = math.nextafter(threshold, 0 if rule.startswith("min") else 1)

    def decide(value):
        comparison = _comparison()
        if rule == "min_agreement":
            comparison["agreement"] = value
        elif rule == "max_mean_abs_prob_delta":
            comparison["mean_abs_prob_delta"] = value
        else:
            comparison["agreement"], comparison["mean_abs_prob_delta"] = 1.0, 0.0
            comparison["deltas"] = {**comparison["deltas"], "f1": value}
        return recommend(STRONG, comparison, policy).decision

    assert decide(threshold) == PROMOTE
    assert decide(outside) == (KEEP if rule == "min_metric_delta" else REVIEW)

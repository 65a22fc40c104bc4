"""Unit tests: scoring two models on the same rows and measuring how far apart they are."""

from __future__ import annotations

import pandas as pd
import pytest

from governance.policy import METRIC_NAMES
from lib.comparison import (
    compare_scores,
    disagreements,
    mcnemar_exact,
    model_features,
    score_frame,
)
from lib.data import load_frame
from lib.modeling import classification_metrics, fit_model
from lib.preprocessing import build_preprocessor

pytestmark = pytest.mark.unit

METRICS = {"accuracy": 0.9, "precision": 0.9, "recall": 0.9, "f1": 0.9, "roc_auc": 0.9}


# Exact values: twice the binomial tail of the smaller count out of n = b + c, capped at 1,
# i.e. min(1, 2 * sum(C(n, i) for i <= min(b, c)) / 2**n), worked out with fractions.
@pytest.mark.parametrize(
    "b, c, p_value",
    [
        (0, 0, 1.0),
        (0, 1, 1.0),
        (3, 3, 1.0),
        (0, 4, 1 / 8),
        (1, 4, 3 / 8),
        (2, 9, 67 / 1024),
        (12, 2, 53 / 4096),
        (12, 3, 9 / 256),  # chapter 04's exercise: "exact p = 0.035"
        (7, 30, 820667 / 2**32),
        (40, 58, 0.08541058911280434),
    ],
)
def test_mcnemar_gives_the_exact_two_sided_p_value(b, c, p_value):
    assert mcnemar_exact(b, c) == pytest.approx(p_value, rel=1e-9)
    assert mcnemar_exact(c, b) == pytest.approx(p_value, rel=1e-9)


def test_compare_scores_counts_agreement_deltas_and_discordant_rows():
    scores = pd.DataFrame(
        {
            "y_true": [0, 0, 1, 1, 1],
            "p_champion": [0.9, 0.4, 0.1, 0.6, 0.2],
            "p_challenger": [0.8, 0.7, 0.1, 0.2, 0.2],
            "pred_champion": [0, 1, 1, 0, 1],
            "pred_challenger": [0, 0, 1, 1, 1],
        }
    )
    better = {**METRICS, "f1": 0.95}
    result = compare_scores(scores, METRICS, better)
    assert result["agreement"] == pytest.approx(0.6)
    assert result["n_disagreements"] == 2
    assert result["mean_abs_prob_delta"] == pytest.approx((0.1 + 0.3 + 0 + 0.4 + 0) / 5)
    assert result["max_abs_prob_delta"] == pytest.approx(0.4)
    assert result["deltas"]["f1"] == pytest.approx(0.05)
    assert result["mcnemar"]["champion_only_correct"] == 0
    assert result["mcnemar"]["challenger_only_correct"] == 2
    assert list(disagreements(scores).index) == [3, 1]  # largest |Δp| first


def test_each_model_scores_the_columns_it_was_trained_on():
    frame = load_frame("wide").sample(200, random_state=0)
    features, target = frame.drop(columns="target"), frame["target"]
    narrow = features.iloc[:, :30]
    champion = fit_model(build_preprocessor(narrow), narrow, target, "logistic_regression")
    challenger = fit_model(build_preprocessor(features, max_features=50), features, target)
    scores = score_frame(champion, challenger, features, target)
    assert list(scores.columns) == [
        "y_true",
        "p_champion",
        "p_challenger",
        "pred_champion",
        "pred_challenger",
    ]
    assert scores[["p_champion", "p_challenger"]].stack().between(0, 1).all()
    with pytest.raises(ValueError, match="lacks 30 column"):
        model_features(challenger, narrow)
    # the metrics a run records are the ones the policy and the comparison name
    assert tuple(classification_metrics(challenger, features, target)) == METRIC_NAMES

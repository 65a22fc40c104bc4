"""Unit tests: scoring two models on the same rows and measuring how far apart they are."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy.stats import binomtest

from lib.comparison import (
    compare_scores,
    disagreements,
    mcnemar_exact,
    model_features,
    score_frame,
)
from lib.data import load_frame
from lib.modeling import fit_model
from lib.preprocessing import build_preprocessor

pytestmark = pytest.mark.unit

METRICS = {"accuracy": 0.9, "precision": 0.9, "recall": 0.9, "f1": 0.9, "roc_auc": 0.9}


@pytest.mark.parametrize("b, c", [(0, 0), (0, 4), (1, 4), (3, 3), (12, 2), (7, 30), (0, 1)])
def test_mcnemar_matches_the_exact_binomial_test(b, c):
    expected = 1.0 if b + c == 0 else binomtest(min(b, c), b + c, 0.5).pvalue
    assert mcnemar_exact(b, c) == pytest.approx(expected)
    assert mcnemar_exact(b, c) == mcnemar_exact(c, b)


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

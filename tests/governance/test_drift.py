"""PSI drift against a training profile, with the policy's thresholds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from governance.drift import _shares, _shares_by_counting, drift_report, psi, reference_profile
from governance.policy import load_policy

pytestmark = pytest.mark.unit


@pytest.fixture
def training():
    rng = np.random.default_rng(0)
    return pd.DataFrame({"a": rng.normal(10, 2, 5000), "b": rng.uniform(0, 1, 5000)})


def test_psi_is_zero_for_identical_shares_and_grows_with_shift():
    shares = np.full(10, 0.1)
    assert psi(shares, shares) == pytest.approx(0.0)
    moved = np.array([0.0] * 5 + [0.2] * 5)
    assert psi(shares, moved) > 0.25


def test_counting_per_edge_gives_the_same_shares_as_a_bucket_per_row():
    rng = np.random.default_rng(3)
    edges = np.array([0.1, 0.25, 0.25001, 0.5, 0.9])
    values = np.concatenate([rng.uniform(0, 1, 10_000), edges, edges, [-1.0, 2.0]])
    np.testing.assert_array_equal(_shares_by_counting(values, edges), _shares(values, edges))
    empty = np.array([], dtype=float)
    np.testing.assert_array_equal(_shares_by_counting(empty, edges), _shares(empty, edges))


def test_missing_values_are_left_out_of_the_shares_and_the_mean(training):
    rules = load_policy().drift
    profile = reference_profile(training, rules.bins)
    batch = training.head(1000).copy()
    with_gaps = batch.copy()
    with_gaps.loc[with_gaps.index[::10], "a"] = np.nan
    expected = drift_report(batch.drop(index=batch.index[::10]), profile, rules)
    assert drift_report(with_gaps, profile, rules)["features"]["a"] == expected["features"]["a"]


def test_a_batch_from_the_same_population_does_not_drift(training):
    rules = load_policy().drift
    rng = np.random.default_rng(1)
    batch = pd.DataFrame({"a": rng.normal(10, 2, 2000), "b": rng.uniform(0, 1, 2000)})
    report = drift_report(batch, reference_profile(training, rules.bins), rules)
    assert report["drifted"] is False
    assert report["n_alert"] == 0
    assert report["max_psi"] < rules.warn_psi


def test_a_shifted_feature_alerts_and_marks_the_batch_drifted(training):
    rules = load_policy().drift
    rng = np.random.default_rng(2)
    batch = pd.DataFrame({"a": rng.normal(13, 2, 2000), "b": rng.uniform(0, 1, 2000)})
    report = drift_report(batch, reference_profile(training, rules.bins), rules)
    assert report["features"]["a"]["status"] == "alert"
    assert report["features"]["b"]["status"] == "ok"
    assert report["alert_share"] == 0.5
    assert report["drifted"] is True


def test_a_missing_feature_counts_as_drift(training):
    rules = load_policy().drift
    report = drift_report(training[["a"]], reference_profile(training), rules)
    assert report["missing_features"] == ["b"]
    assert report["drifted"] is True


def test_policy_rejects_an_alert_threshold_under_the_warning(edit_policy):
    edit_policy({"drift.alert_psi": 0.05})
    with pytest.raises(ValueError, match="alert_psi"):
        load_policy()

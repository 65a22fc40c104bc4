"""Unit tests: the run-time preprocessing decisions and the model artifact."""

import numpy as np
import pandas as pd
import pytest

from lib.data import load_frame, minority_share
from lib.modeling import fit_model
from lib.preprocessing import (
    apply_smote,
    build_preprocessor,
    needs_pca,
    needs_smote,
    pca_summary,
)

pytestmark = pytest.mark.unit


def _target(minority: int, total: int = 100) -> pd.Series:
    return pd.Series([0] * minority + [1] * (total - minority), name="target")


def test_smote_triggers_at_29_percent_minority():
    assert needs_smote(_target(29), threshold=0.30)


def test_smote_does_not_trigger_at_31_percent_minority():
    assert not needs_smote(_target(31), threshold=0.30)


def test_smote_does_not_trigger_exactly_at_threshold():
    assert not needs_smote(_target(30), threshold=0.30)


def test_pca_triggers_at_51_features():
    assert needs_pca(51, max_features=50)


def test_pca_does_not_trigger_at_50_features():
    assert not needs_pca(50, max_features=50)


def test_smote_balances_the_classes():
    frame = load_frame("imbalanced")
    x, y = apply_smote(frame.drop(columns="target"), frame["target"])
    assert minority_share(y) == pytest.approx(0.5)
    assert list(x.columns) == list(frame.columns.drop("target"))


def test_preprocessor_without_pca_keeps_every_feature():
    frame = load_frame("original").drop(columns="target")
    preprocessor = build_preprocessor(frame, max_features=50)
    assert pca_summary(preprocessor) == {"pca_applied": False}
    assert preprocessor.transform(frame).shape == frame.shape


def test_model_applies_pca_at_predict_time_when_training_did():
    frame = load_frame("wide")
    features, target = frame.drop(columns="target"), frame["target"]
    preprocessor = build_preprocessor(features, max_features=50)
    model = fit_model(preprocessor, features, target)
    summary = pca_summary(model.named_steps["preprocess"])
    assert summary["pca_applied"] and summary["pca_components"] < 50
    # The classifier only ever sees PCA components...
    assert model.named_steps["classifier"].n_features_in_ == summary["pca_components"]
    # ...and raw 60-column rows go in at predict time, transformed inside the model.
    proba = model.predict_proba(features.head(5))
    assert proba.shape == (5, 2)
    manual = model.named_steps["classifier"].predict_proba(preprocessor.transform(features.head(5)))
    np.testing.assert_allclose(proba, manual)

"""Model building and evaluation (plain functions, no ZenML)."""

from __future__ import annotations

import pandas as pd
from sklearn.base import ClassifierMixin
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.pipeline import Pipeline

CLASSIFIERS: tuple[str, ...] = ("logistic_regression", "random_forest")
POSITIVE_LABEL = 0
"""Malignant is ``target == 0`` in scikit-learn's encoding; metrics treat it as positive."""


def make_classifier(name: str, random_state: int = 42) -> ClassifierMixin:
    """Return an unfitted classifier by name."""
    if name == "logistic_regression":
        return LogisticRegression(max_iter=1000, random_state=random_state)
    if name == "random_forest":
        return RandomForestClassifier(n_estimators=100, random_state=random_state, n_jobs=1)
    raise ValueError(f"classifier must be one of {', '.join(CLASSIFIERS)}; got {name!r}")


def fit_model(
    preprocessor: Pipeline,
    features: pd.DataFrame,
    target: pd.Series,
    classifier: str = "logistic_regression",
    random_state: int = 42,
) -> Pipeline:
    """Fit a classifier on preprocessed features; return preprocessing + classifier as one model.

    The preprocessor is already fitted and is not refitted here.
    """
    clf = make_classifier(classifier, random_state).fit(preprocessor.transform(features), target)
    return Pipeline([("preprocess", preprocessor), ("classifier", clf)])


def malignant_probability(model: Pipeline, features: pd.DataFrame) -> pd.Series:
    """Return each row's probability of being malignant."""
    column = list(model.classes_).index(POSITIVE_LABEL)
    return pd.Series(
        model.predict_proba(features)[:, column], index=features.index, name="p_malignant"
    )


def classification_metrics(model: Pipeline, features: pd.DataFrame, target: pd.Series) -> dict:
    """Return accuracy, precision, recall, F1 and ROC AUC on labelled data (malignant positive)."""
    predicted = model.predict(features)
    proba = malignant_probability(model, features)
    positive = dict(pos_label=POSITIVE_LABEL, zero_division=0)
    return {
        "accuracy": float(accuracy_score(target, predicted)),
        "precision": float(precision_score(target, predicted, **positive)),
        "recall": float(recall_score(target, predicted, **positive)),
        "f1": float(f1_score(target, predicted, **positive)),
        "roc_auc": float(roc_auc_score(target == POSITIVE_LABEL, proba)),
    }

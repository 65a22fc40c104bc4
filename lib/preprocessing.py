"""Run-time preprocessing decisions (plain functions, no ZenML).

A ZenML pipeline is compiled to a DAG before any step runs, so a step's output cannot drive a
Python ``if`` at pipeline level. The decisions therefore live *inside* steps, which call these
functions on the data they actually receive.
"""

from __future__ import annotations

import pandas as pd
from sklearn.decomposition import PCA
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from lib.data import minority_share


def needs_smote(target: pd.Series, threshold: float = 0.30) -> bool:
    """Return True when the minority class is strictly under ``threshold`` of the rows."""
    return minority_share(target) < threshold


def apply_smote(
    features: pd.DataFrame, target: pd.Series, random_state: int = 42
) -> tuple[pd.DataFrame, pd.Series]:
    """Oversample the minority class with SMOTE until both classes are the same size."""
    # Imported here, not at the top: imbalanced-learn pulls in scikit-learn's test utilities
    # and pytest (about 0.3 s), which a run that does not oversample never needs.
    from imblearn.over_sampling import SMOTE

    smote = SMOTE(random_state=random_state)
    resampled_x, resampled_y = smote.fit_resample(features, target)
    return (
        pd.DataFrame(resampled_x, columns=features.columns),
        pd.Series(resampled_y, name=target.name),
    )


def needs_pca(n_features: int, max_features: int = 50) -> bool:
    """Return True when there are strictly more than ``max_features`` features."""
    return n_features > max_features


def build_preprocessor(
    features: pd.DataFrame,
    max_features: int = 50,
    variance: float = 0.95,
    random_state: int = 42,
) -> Pipeline:
    """Fit a scaler, plus PCA keeping ``variance`` of the variance when there are too many features.

    The returned pipeline is fitted and travels inside the model, so every inference path applies
    exactly the transforms fitted here.
    """
    steps: list[tuple[str, object]] = [("scale", StandardScaler())]
    if needs_pca(features.shape[1], max_features):
        steps.append(("pca", PCA(n_components=variance, random_state=random_state)))
    return Pipeline(steps).set_output(transform="pandas").fit(features)


def pca_summary(preprocessor: Pipeline) -> dict[str, float | int | bool]:
    """Describe what the preprocessor does: whether PCA ran, components and explained variance."""
    pca = preprocessor.named_steps.get("pca")
    if pca is None:
        return {"pca_applied": False}
    return {
        "pca_applied": True,
        "pca_components": int(pca.n_components_),
        "pca_explained_variance": float(pca.explained_variance_ratio_.sum()),
    }

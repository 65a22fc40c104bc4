"""Step: fit the preprocessing (scaler, plus PCA when there are too many features)."""

from typing import Annotated

import pandas as pd
from sklearn.pipeline import Pipeline
from zenml import log_metadata, step
from zenml.logger import get_logger

from lib.preprocessing import build_preprocessor, pca_summary

logger = get_logger(__name__)


@step
def check_and_apply_pca(
    X_train: pd.DataFrame,
    max_features: int = 50,
    variance: float = 0.95,
    random_state: int = 42,
) -> tuple[Annotated[Pipeline, "preprocessor"], Annotated[dict, "pca_report"]]:
    """Fit a scaler, and PCA keeping ``variance`` of the variance if features > ``max_features``.

    The fitted preprocessor is returned, not the transformed data: it becomes part of the model,
    so inference applies exactly these transforms.
    """
    preprocessor = build_preprocessor(X_train, max_features, variance, random_state)
    report = {
        "n_features": int(X_train.shape[1]),
        "pca_max_features": int(max_features),
        **pca_summary(preprocessor),
    }
    logger.info(
        "PCA %s: %d features vs limit %d",
        "applied" if report["pca_applied"] else "skipped",
        report["n_features"],
        max_features,
    )
    log_metadata(metadata=report)
    log_metadata(metadata=report, infer_model=True)
    return preprocessor, report

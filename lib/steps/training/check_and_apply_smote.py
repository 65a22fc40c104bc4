"""Step: oversample the training set with SMOTE when the minority class is too rare."""

from typing import Annotated

import pandas as pd
from zenml import log_metadata, step
from zenml.logger import get_logger

from lib.data import minority_share
from lib.preprocessing import apply_smote, needs_smote

logger = get_logger(__name__)


@step
def check_and_apply_smote(
    X_train: pd.DataFrame,
    y_train: pd.Series,
    threshold: float = 0.30,
    random_state: int = 42,
) -> tuple[
    Annotated[pd.DataFrame, "X_train_balanced"],
    Annotated[pd.Series, "y_train_balanced"],
    Annotated[dict, "smote_report"],
]:
    """Apply SMOTE to the training rows only if the minority share is under ``threshold``.

    The test set is never resampled: metrics are measured on real class proportions.
    """
    share_before = minority_share(y_train)
    applied = needs_smote(y_train, threshold)
    if applied:
        X_train, y_train = apply_smote(X_train, y_train, random_state)
    report = {
        "smote_applied": applied,
        "smote_threshold": float(threshold),
        "minority_share_before": share_before,
        "minority_share_after": minority_share(y_train),
        "train_rows_after": int(len(y_train)),
    }
    logger.info(
        "SMOTE %s: minority share %.1f %% vs threshold %.0f %%",
        "applied" if applied else "skipped",
        100 * share_before,
        100 * threshold,
    )
    log_metadata(metadata=report)
    log_metadata(metadata=report, infer_model=True)
    return X_train, y_train, report

"""Step: record what a model version is made of, on the version itself."""

import pandas as pd
from zenml import log_metadata, step

from lib.data import frame_sha256
from lib.provenance import git_commit


@step
def log_training_metadata(
    dataset: pd.DataFrame,
    metrics: dict,
    smote_report: dict,
    pca_report: dict,
    variant: str = "original",
    classifier: str = "logistic_regression",
) -> None:
    """Log git commit, data hash, metrics and the preprocessing branches on the model version."""
    log_metadata(
        metadata={
            "git_commit": git_commit(),
            "data_sha256": frame_sha256(dataset),
            "data_rows": int(len(dataset)),
            "variant": variant,
            "classifier": classifier,
            "smote_applied": bool(smote_report["smote_applied"]),
            "pca_applied": bool(pca_report["pca_applied"]),
            **{k: float(v) for k, v in metrics.items()},
        },
        infer_model=True,
    )

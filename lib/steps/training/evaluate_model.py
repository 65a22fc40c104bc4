"""Step: measure the model on held-out data."""

from typing import Annotated

import pandas as pd
from sklearn.pipeline import Pipeline
from zenml import log_metadata, step
from zenml.logger import get_logger

from lib.modeling import classification_metrics

logger = get_logger(__name__)


@step
def evaluate_model(
    model: Pipeline, X_test: pd.DataFrame, y_test: pd.Series
) -> Annotated[dict, "metrics"]:
    """Return accuracy, precision, recall, F1 and ROC AUC on the held-out rows."""
    metrics = classification_metrics(model, X_test, y_test)
    logger.info("Held-out metrics: %s", {k: round(v, 4) for k, v in metrics.items()})
    log_metadata(metadata=metrics)
    return metrics

"""Step: score the champion and the challenger on the same labelled rows."""

from typing import Annotated

import pandas as pd
from sklearn.pipeline import Pipeline
from zenml import step
from zenml.logger import get_logger

from lib.comparison import model_features, score_frame
from lib.modeling import classification_metrics

logger = get_logger(__name__)


@step
def score_models(
    champion_model: Pipeline,
    challenger_model: Pipeline,
    X_test: pd.DataFrame,
    y_test: pd.Series,
) -> tuple[
    Annotated[pd.DataFrame, "scores"],
    Annotated[dict, "champion_metrics"],
    Annotated[dict, "challenger_metrics"],
]:
    """Return each row's label, both models' probabilities and predictions, and both metrics."""
    scores = score_frame(champion_model, challenger_model, X_test, y_test)
    champion = classification_metrics(
        champion_model, model_features(champion_model, X_test), y_test
    )
    challenger = classification_metrics(
        challenger_model, model_features(challenger_model, X_test), y_test
    )
    logger.info("Scored %d rows with both models", len(scores))
    return scores, champion, challenger

"""Step: train the classifier and bundle it with its preprocessing as one model artifact."""

from typing import Annotated

import pandas as pd
from sklearn.pipeline import Pipeline
from zenml import ArtifactConfig, step
from zenml.enums import ArtifactType

from lib.modeling import fit_model


@step
def train_model(
    X_train: pd.DataFrame,
    y_train: pd.Series,
    preprocessor: Pipeline,
    classifier: str = "logistic_regression",
    random_state: int = 42,
) -> Annotated[Pipeline, ArtifactConfig(name="model", artifact_type=ArtifactType.MODEL)]:
    """Fit ``classifier`` on preprocessed training rows; return preprocessing + classifier."""
    return fit_model(preprocessor, X_train, y_train, classifier, random_state)

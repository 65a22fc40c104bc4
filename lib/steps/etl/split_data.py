"""Step: split the data into stratified train and held-out test sets."""

from typing import Annotated

import pandas as pd
from sklearn.model_selection import train_test_split
from zenml import step

from governance.materializers import DataFrameParquetMaterializer
from lib.data import TARGET


@step(
    output_materializers={
        "X_train": DataFrameParquetMaterializer,
        "X_test": DataFrameParquetMaterializer,
    }
)
def split_data(
    dataset: pd.DataFrame, test_size: float = 0.25, random_state: int = 42
) -> tuple[
    Annotated[pd.DataFrame, "X_train"],
    Annotated[pd.DataFrame, "X_test"],
    Annotated[pd.Series, "y_train"],
    Annotated[pd.Series, "y_test"],
]:
    """Split features from ``target`` and hold out ``test_size`` of the rows, stratified."""
    features = dataset.drop(columns=[TARGET])
    x_train, x_test, y_train, y_test = train_test_split(
        features,
        dataset[TARGET],
        test_size=test_size,
        random_state=random_state,
        stratify=dataset[TARGET],
    )
    return x_train, x_test, y_train, y_test

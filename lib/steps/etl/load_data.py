"""Step: load the breast-cancer data in one of its teaching variants."""

from typing import Annotated

import pandas as pd
from zenml import step
from zenml.logger import get_logger

from governance.materializers import DataFrameParquetMaterializer
from lib.data import load_frame, minority_share

logger = get_logger(__name__)


@step(output_materializers=DataFrameParquetMaterializer)
def load_data(
    variant: str = "original", random_state: int = 42
) -> Annotated[pd.DataFrame, "dataset"]:
    """Load the data (``original``, ``imbalanced`` or ``wide``) with features and ``target``."""
    frame = load_frame(variant, random_state)
    logger.info(
        "Loaded variant %r: %d rows, %d features, minority share %.1f %%",
        variant,
        len(frame),
        frame.shape[1] - 1,
        100 * minority_share(frame["target"]),
    )
    return frame

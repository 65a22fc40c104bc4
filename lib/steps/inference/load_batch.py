"""Step: load the batch to score, from a parquet file or drawn from the data."""

from typing import Annotated

import pandas as pd
from zenml import step
from zenml.logger import get_logger

from governance.materializers import DataFrameParquetMaterializer
from lib.batch import make_batch, read_batch

logger = get_logger(__name__)


@step(output_materializers=DataFrameParquetMaterializer)
def load_batch(
    n_rows: int = 1000, input_path: str = "", drift_shift: float = 0.0, random_state: int = 7
) -> Annotated[pd.DataFrame, "batch"]:
    """Read ``input_path`` (parquet) if given, else draw ``n_rows`` rows (see lib.batch)."""
    batch = read_batch(input_path) if input_path else make_batch(n_rows, drift_shift, random_state)
    logger.info("batch: %d rows from %s", len(batch), input_path or "the kit's generator")
    return batch

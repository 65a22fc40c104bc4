"""Step: score the batch with the production model of the run's model context."""

from typing import Annotated

import pandas as pd
from zenml import get_step_context, log_metadata, step
from zenml.logger import get_logger

from governance.materializers import DataFrameParquetMaterializer
from lib.batch import score

logger = get_logger(__name__)


@step(output_materializers=DataFrameParquetMaterializer)
def score_batch(batch: pd.DataFrame) -> Annotated[pd.DataFrame, "predictions"]:
    """Score every row with the model version the pipeline was given *by stage*.

    The model is loaded from the model version in context (``Model(version="production")``),
    so the predictions artifact is linked to that version and to this run.
    """
    version = get_step_context().model_version
    model = version.get_model_artifact("model").load()
    predictions = score(model, batch)
    share = float((predictions["predicted"] == "malignant").mean()) if len(predictions) else 0.0
    facts = {
        "rows_scored": int(len(predictions)),
        "malignant_share": round(share, 6),
        "model_version": version.name,
        "source_version": (version.run_metadata or {}).get("kit_source", {}).get("model_version"),
    }
    log_metadata(metadata={"batch_scoring": facts})
    logger.info("scored %d rows with %s %s", len(predictions), version.model.name, version.name)
    return predictions

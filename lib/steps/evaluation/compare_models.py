"""Step: measure how far apart the champion and the challenger are."""

from typing import Annotated

import pandas as pd
from zenml import log_metadata, step
from zenml.logger import get_logger

from lib.comparison import compare_scores

logger = get_logger(__name__)


@step
def compare_models(
    scores: pd.DataFrame,
    champion_metrics: dict,
    challenger_metrics: dict,
    champion_version: str = "",
    challenger_version: str = "",
) -> Annotated[dict, "comparison"]:
    """Return agreement, |Δ probability|, metric deltas and McNemar's exact test.

    The comparison is also logged on the challenger's model version (``champion_challenger``).
    """
    comparison = {
        "champion_version": champion_version,
        "challenger_version": challenger_version,
        **compare_scores(scores, champion_metrics, challenger_metrics),
    }
    logger.info(
        "Agreement %.1f %%, mean |dp| %.3f, McNemar p %.3g",
        100 * comparison["agreement"],
        comparison["mean_abs_prob_delta"],
        comparison["mcnemar"]["p_value"],
    )
    log_metadata(metadata={"champion_challenger": comparison}, infer_model=True)
    return comparison

"""Step: recommend promote, review or keep from the policy's champion/challenger thresholds."""

from typing import Annotated

from zenml import log_metadata, step
from zenml.logger import get_logger

from governance.recommendation import recommend

logger = get_logger(__name__)


@step
def recommend_promotion(
    comparison: dict, challenger_metrics: dict
) -> Annotated[dict, "recommendation"]:
    """Apply the platform's rules (``governance.recommendation``) to the comparison.

    The recommendation is logged on the challenger's model version (``recommendation``).
    """
    recommendation = recommend(challenger_metrics, comparison).to_dict()
    logger.info("Recommendation: %s", recommendation["decision"])
    log_metadata(metadata={"recommendation": recommendation}, infer_model=True)
    return recommendation

"""Step: score one real-time request with the model the deployment preloaded."""

from typing import Annotated

from zenml import get_step_context, step

from lib.serving.model import NoServingModel, ServingModel
from lib.serving.schema import BreastCancerFeatures, Prediction


@step(enable_cache=False)
def predict_request(features: BreastCancerFeatures) -> Annotated[Prediction, "prediction"]:
    """Answer one request; its request id is this run's id, so the answer is traceable.

    The model is not loaded here: the pipeline's ``on_init`` hook loaded it once, when the
    deployment started, and hands it over as the pipeline state.
    """
    context = get_step_context()
    serving = context.pipeline_state
    if not isinstance(serving, ServingModel):
        raise NoServingModel("no serving model: run this pipeline with its on_init hook")
    return serving.predict(features, request_id=str(context.pipeline_run.id))

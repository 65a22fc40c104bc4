"""Step: score one real-time request with the model the deployment preloaded."""

from typing import Annotated

from zenml import get_step_context, step

from lib.serving.model import LoadedModels, NoServingModel
from lib.serving.schema import BreastCancerFeatures, Prediction


@step(enable_cache=False)
def predict_request(features: BreastCancerFeatures) -> Annotated[Prediction, "prediction"]:
    """Answer one request; its request id is this run's id, so the answer is traceable.

    The model is not loaded here: the pipeline's ``on_init`` hook loaded it once, when the
    deployment started, and hands over the loaded versions as the pipeline state. The step
    scores with the version its run is linked to (``context.model``), so the answer and the
    run's lineage name the same version even if the deployment swapped models meanwhile.
    """
    context = get_step_context()
    loaded = context.pipeline_state
    if not isinstance(loaded, LoadedModels):
        raise NoServingModel("no serving model: run this pipeline with its on_init hook")
    serving = loaded.version(context.model.version)
    return serving.predict(features, request_id=str(context.pipeline_run.id))

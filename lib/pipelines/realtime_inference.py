"""Real-time inference: one request in, one prediction out, as a ZenML pipeline deployment.

    from lib.pipelines.realtime_inference import serving_pipeline
    from lib.serving.deploy import example_features

    serving_pipeline("3", stage="production").deploy(
        deployment_name="breast-cancer-realtime", features=example_features()
    )

Deployed, ZenML serves it over HTTP (``POST /invoke`` with ``{"parameters": {"features":
{...}}}``). The ``on_init`` hook loads the model version holding the serving stage **once**, when
the deployment starts; every ``/invoke`` is then a run of one step that only scores. When
another version takes the stage (a release, a rollback), the deployment loads it and swaps it
in while it keeps answering (``lib.serving.follow``). ``lib.serving`` adds the doors, the fast
path and the audit of its answers; ``scripts/deploy_realtime.py`` deploys, inspects, invokes
and deletes.
"""

from __future__ import annotations

from zenml import pipeline

from lib.config import model_name
from lib.serving.model import serve_stage
from lib.serving.schema import BreastCancerFeatures, Prediction
from lib.steps.inference.predict_request import predict_request


@pipeline(
    enable_cache=False,
    on_init=serve_stage,
    # the answer, its inputs and the run are recorded; the scoring step logs nothing worth a
    # log file per request, and writing two of them is a measurable share of each /invoke
    enable_pipeline_logs=False,
    enable_step_logs=False,
)
def realtime_inference_pipeline(features: BreastCancerFeatures) -> Prediction:
    """Score one patient's measurements with the preloaded serving model."""
    return predict_request(features)


def serving_options(
    version: str,
    stage: str | None = None,
    suffix: str = "",
    port: int | None = None,
    flush_every: int | None = None,
    flush_seconds: float | None = None,
    follow_seconds: float | None = None,
) -> dict:
    """Options that make the pipeline serve the kit's model by ``stage``, from ``version`` on.

    ``version`` (the holder when deploying) is the model of the deployment's snapshot. The
    init hook loads whichever version holds the stage when the process starts, and the
    deployment follows the stage from then on; each ``/invoke`` run is linked to the version
    that answers it. ``settings`` are those of :func:`lib.serving.app.deployment_settings`:
    the doors, the fast path, the audit and follow hooks and a generated bearer key.

    Returns:
        ``model``, ``environment`` and ``settings``, for ``pipeline.with_options(**options)``.
    """
    from zenml import Model

    from governance.policy import load_policy
    from lib.serving.app import deployment_settings

    name = model_name(suffix)
    return {
        "model": Model(name=name, version=version),
        # read by the on_init hook (lib.serving.model.serve_stage); a run-configuration
        # file carries a pipeline's environment, but not init-hook arguments
        "environment": {
            "KIT_SERVING_MODEL": name,
            "KIT_SERVING_STAGE": stage or load_policy().serving.stage,
        },
        "settings": deployment_settings(
            port=port,
            flush_every=flush_every,
            flush_seconds=flush_seconds,
            follow_seconds=follow_seconds,
        ),
    }


def serving_pipeline(version: str, **options):
    """The pipeline with :func:`serving_options` applied (same arguments)."""
    return realtime_inference_pipeline.with_options(**serving_options(version, **options))


def config_file_content(version: str, features: dict, **options) -> dict:
    """The same options as a ZenML run-configuration file, for ``zenml pipeline deploy -c``.

    ``features`` is the value ZenML needs for the pipeline parameter at deploy time (requests
    send their own). The file holds sources and settings only, no secret.
    """
    chosen = serving_options(version, **options)
    return {
        "model": {"name": chosen["model"].name, "version": chosen["model"].version},
        "environment": chosen["environment"],
        "parameters": {"features": features},
        "settings": {
            key: value.model_dump(mode="json", exclude_unset=True)
            for key, value in chosen["settings"].items()
        },
    }

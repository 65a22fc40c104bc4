"""What the kit adds to ZenML's deployment app, through ZenML's own extension points.

- ``POST /predict`` — the **fast path**: a custom endpoint (``DeploymentSettings.custom_endpoints``)
  that scores one request with the preloaded model, without a pipeline run, and appends the
  answer to the audit buffer (:mod:`lib.serving.audit`).
- the doors (:mod:`lib.serving.doors`): the key on every endpoint but ``/health`` (an app
  extension), a body-size limit and a refusal of duplicate JSON keys (``custom_middlewares``),
  ``POST /submit`` refused (a custom endpoint replacing ZenML's), and no dashboard, so ``GET``
  on a prediction door is a 405.
- readable validation errors (``app_extensions``): every 422 lists ``loc`` (the field), ``msg``
  and ``type`` but not the rejected value — FastAPI's default echoes it, which fails on NaN or
  infinity (a 500) and would copy a whole oversized value into the response.
- following the stage: a deployment service whose ``/invoke`` runs name the serving version
  (:mod:`lib.serving.service`), and a startup hook that starts the stage follower
  (:mod:`lib.serving.follow`) and the audit buffer; the shutdown hook stops both and writes
  what is left.

:func:`deployment_settings` assembles these for ``pipeline.with_options(settings=...)``.
"""

from __future__ import annotations

import threading

from fastapi import HTTPException

from lib.serving.audit import AuditBackpressure, PredictionBuffer, zenml_sink
from lib.serving.doors import BodyChecks, refuse_submit, require_key_everywhere
from lib.serving.follow import StageFollower
from lib.serving.model import NoServingModel, current
from lib.serving.schema import BreastCancerFeatures, Prediction, features_row

FAST_PATH = "/predict"
SUBMIT_PATH = "/submit"

_audit_lock = threading.Lock()
_audit: PredictionBuffer | None = None
_follower: StageFollower | None = None


def audit_buffer() -> PredictionBuffer:
    """The process's audit buffer (started by :func:`start_audit`)."""
    with _audit_lock:
        if _audit is None:
            raise AuditBackpressure("the prediction audit trail is not started")
        return _audit


def start_serving(
    app_runner=None,
    flush_every: int = 100,
    flush_seconds: float = 10.0,
    follow_seconds: float = 5.0,
    deployment: str = "",
) -> PredictionBuffer:
    """Startup hook: open the audit buffer and start following the stage served."""
    global _audit, _follower
    serving = current()  # loaded by the init hook, which ran before this hook
    name = deployment or (app_runner.deployment.name if app_runner is not None else "")
    buffer = PredictionBuffer(
        zenml_sink(serving.model_name, deployment=name),
        flush_every=flush_every,
        flush_seconds=flush_seconds,
        group_by="model_version",
    )
    deployment_id = str(app_runner.deployment.id) if app_runner is not None else ""
    follower = StageFollower(name, follow_seconds, deployment_id=deployment_id)
    with _audit_lock:
        _audit, _follower = buffer, follower
    follower.start()
    return buffer


def stop_serving(app_runner=None) -> int:
    """Shutdown hook: stop following, flush every buffered prediction; return how many."""
    global _audit, _follower
    with _audit_lock:
        buffer, _audit = _audit, None
        follower, _follower = _follower, None
    # the audit first: ZenML's local deployer kills the process 5 s after asking it to stop
    written = buffer.close() if buffer is not None else 0
    if follower is not None:
        follower.stop(timeout=2)
    return written


def fast_path_endpoint(app_runner):
    """Endpoint builder for ``POST /predict`` (ZenML calls it with the app runner)."""

    def predict(features: BreastCancerFeatures) -> Prediction:
        """Score one patient from the preloaded model; the answer is kept for the audit trail."""
        try:
            serving = current()
            buffer = audit_buffer()
        except (NoServingModel, AuditBackpressure) as error:
            raise HTTPException(status_code=503, detail=str(error)) from error
        prediction = serving.predict(features)
        try:
            buffer.add({**prediction.model_dump(), **features_row(features)})
        except AuditBackpressure as error:
            raise HTTPException(status_code=503, detail=str(error)) from error
        return prediction

    return predict


def _clean_errors(errors) -> list[dict]:
    return [
        {
            "loc": [str(part) for part in error.get("loc", ())],
            "msg": error.get("msg", ""),
            "type": error.get("type", ""),
        }
        for error in errors
    ]


def readable_validation_errors(app_runner) -> None:
    """App extension: answer request validation errors with 422 and the field, not the value."""
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse

    async def handler(request, exc: RequestValidationError):
        return JSONResponse(status_code=422, content={"detail": _clean_errors(exc.errors())})

    app_runner.asgi_app.add_exception_handler(RequestValidationError, handler)


def deployment_settings(
    port: int | None = None,
    flush_every: int | None = None,
    flush_seconds: float | None = None,
    follow_seconds: float | None = None,
) -> dict:
    """Settings for the real-time pipeline: doors, fast path, audit, following, auth key.

    Flush intervals, the follow interval and the body limit default to the policy's
    ``serving`` section. The local deployer generates a bearer key; every endpoint but
    ``/health`` refuses calls without it (401).
    """
    from zenml.config import DeploymentSettings
    from zenml.config.deployment_settings import (
        AppExtensionSpec,
        DeploymentDefaultEndpoints,
        EndpointMethod,
        EndpointSpec,
        MiddlewareSpec,
    )
    from zenml.deployers.local.local_deployer import LocalDeployerSettings

    from governance.policy import load_policy
    from lib.serving.service import FollowingDeploymentService

    rules = load_policy().serving
    deployer = {"generate_auth_key": True}
    if port:
        deployer["port"] = port
    endpoints = DeploymentDefaultEndpoints
    return {
        "deployment": DeploymentSettings(
            app_title="Breast cancer classifier — real-time inference",
            app_description=(
                "`/invoke` runs the pipeline (a ZenML run per request, full lineage); "
                "`/predict` answers from the preloaded model and records every answer in "
                "batches linked to the model version. Every endpoint but `/health` needs "
                "the bearer key."
            ),
            # no dashboard (its pages would need the key, which a browser does not send) and
            # no /submit (replaced below by a refusal)
            include_default_endpoints=(
                endpoints.DOCS
                | endpoints.REDOC
                | endpoints.INVOKE
                | endpoints.HEALTH
                | endpoints.INFO
                | endpoints.METRICS
            ),  # fmt: skip
            deployment_service_class=FollowingDeploymentService,
            custom_endpoints=[
                EndpointSpec(
                    path=FAST_PATH,
                    method=EndpointMethod.POST,
                    handler=fast_path_endpoint,
                    auth_required=True,
                ),
                EndpointSpec(
                    path=SUBMIT_PATH,
                    method=EndpointMethod.POST,
                    handler=refuse_submit,
                    auth_required=True,
                ),
            ],
            custom_middlewares=[
                MiddlewareSpec(
                    middleware=BodyChecks,
                    native=True,
                    extra_kwargs={"max_bytes": rules.max_body_bytes},
                )
            ],
            app_extensions=[
                AppExtensionSpec(extension=readable_validation_errors),
                AppExtensionSpec(extension=require_key_everywhere),
            ],
            startup_hook=start_serving,
            startup_hook_kwargs={
                "flush_every": flush_every or rules.flush_every,
                "flush_seconds": flush_seconds or rules.flush_seconds,
                "follow_seconds": follow_seconds or rules.follow_seconds,
            },
            shutdown_hook=stop_serving,
        ),
        "deployer": LocalDeployerSettings(**deployer),
    }

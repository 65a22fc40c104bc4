"""What the kit adds to ZenML's deployment app, through ZenML's own extension points.

- ``POST /predict`` — the **fast path**: a custom endpoint (``DeploymentSettings.custom_endpoints``)
  that scores one request with the model the init hook preloaded, without a pipeline run, and
  appends the answer to the audit buffer (:mod:`lib.serving.audit`). Same auth as ``/invoke``.
- a body-size limit (``custom_middlewares``): a body over the policy's ``max_body_bytes`` is
  answered 413 before it is parsed.
- readable validation errors (``app_extensions``): every 422 lists ``loc`` (the field), ``msg``
  and ``type`` but not the rejected value — FastAPI's default echoes it, which fails on NaN or
  infinity (a 500) and would copy a whole oversized value into the response.
- startup and shutdown hooks: the audit buffer starts after the model is loaded and is flushed
  on a clean shutdown.

:func:`deployment_settings` assembles these for ``pipeline.with_options(settings=...)``.
"""

from __future__ import annotations

import json
import threading

from fastapi import HTTPException

from lib.serving.audit import AuditBackpressure, PredictionBuffer, zenml_sink
from lib.serving.model import NoServingModel, current
from lib.serving.schema import BreastCancerFeatures, Prediction, features_row

FAST_PATH = "/predict"

_audit_lock = threading.Lock()
_audit: PredictionBuffer | None = None


def audit_buffer() -> PredictionBuffer:
    """The process's audit buffer (started by :func:`start_audit`)."""
    with _audit_lock:
        if _audit is None:
            raise AuditBackpressure("the prediction audit trail is not started")
        return _audit


def start_audit(
    app_runner=None, flush_every: int = 100, flush_seconds: float = 10.0, deployment: str = ""
) -> PredictionBuffer:
    """Startup hook: open the audit buffer for the serving model the init hook loaded."""
    global _audit
    serving = current()
    name = deployment or (app_runner.deployment.name if app_runner is not None else "")
    buffer = PredictionBuffer(
        zenml_sink(serving.model_name, serving.model_version, deployment=name),
        flush_every=flush_every,
        flush_seconds=flush_seconds,
    )
    with _audit_lock:
        _audit = buffer
    return buffer


def stop_audit(app_runner=None) -> int:
    """Shutdown hook: flush every buffered prediction; return how many were written."""
    global _audit
    with _audit_lock:
        buffer, _audit = _audit, None
    return buffer.close() if buffer is not None else 0


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


class BodySizeLimit:
    """ASGI middleware: refuse request bodies over ``max_bytes`` with 413, naming ``body``."""

    def __init__(self, app, max_bytes: int = 65536) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, send) -> None:
        detail = [
            {
                "loc": ["body"],
                "msg": f"request body is larger than {self.max_bytes} bytes",
                "type": "too_large",
            }
        ]
        body = json.dumps({"detail": detail}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._refuse(send)
                return
        messages, size = [], 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await self._refuse(send)
                return
            if not message.get("more_body", False):
                break
        replay = iter(messages)

        async def replayed():
            try:
                return next(replay)
            except StopIteration:
                return await receive()

        await self.app(scope, replayed, send)


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
) -> dict:
    """Settings for the real-time pipeline: fast path, body limit, audit hooks, auth key.

    Flush intervals and the body limit default to the policy's ``serving`` section. The local
    deployer generates a bearer key; ``/invoke`` and ``/predict`` refuse calls without it (401).
    """
    from zenml.config import DeploymentSettings
    from zenml.config.deployment_settings import (
        AppExtensionSpec,
        EndpointMethod,
        EndpointSpec,
        MiddlewareSpec,
    )
    from zenml.deployers.local.local_deployer import LocalDeployerSettings

    from governance.policy import load_policy

    rules = load_policy().serving
    deployer = {"generate_auth_key": True}
    if port:
        deployer["port"] = port
    return {
        "deployment": DeploymentSettings(
            app_title="Breast cancer classifier — real-time inference",
            app_description=(
                "`/invoke` runs the pipeline (a ZenML run per request, full lineage); "
                "`/predict` answers from the preloaded model and records every answer in "
                "batches linked to the model version."
            ),
            custom_endpoints=[
                EndpointSpec(
                    path=FAST_PATH,
                    method=EndpointMethod.POST,
                    handler=fast_path_endpoint,
                    auth_required=True,
                )
            ],
            custom_middlewares=[
                MiddlewareSpec(
                    middleware=BodySizeLimit,
                    native=True,
                    extra_kwargs={"max_bytes": rules.max_body_bytes},
                )
            ],
            app_extensions=[AppExtensionSpec(extension=readable_validation_errors)],
            startup_hook=start_audit,
            startup_hook_kwargs={
                "flush_every": flush_every or rules.flush_every,
                "flush_seconds": flush_seconds or rules.flush_seconds,
            },
            shutdown_hook=stop_audit,
        ),
        "deployer": LocalDeployerSettings(**deployer),
    }

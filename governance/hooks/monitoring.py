"""Run-level end hook: push a governed run's metrics to a Prometheus Pushgateway.

Pushed (one group per job/pipeline/environment/model, replaced on every run):
``kit_pipeline_run_duration_seconds``, ``kit_pipeline_run_success`` (1 or 0),
``kit_pipeline_run_finished_timestamp_seconds``, ``kit_model_accuracy``, ``kit_model_f1``
(when the performance gate ran) and ``kit_dataset_rows`` (when the data gate ran).

The gateway comes from ``KIT_PUSHGATEWAY_URL`` (``http://host:9091``); with none set the
metrics are logged. An unreachable gateway is logged and recorded on the run
(``kit_metrics_push`` metadata); the run still succeeds.
"""

from __future__ import annotations

import os
import time

from prometheus_client import CollectorRegistry, Gauge, push_to_gateway
from zenml.logger import get_logger

from governance.hooks.run_summary import RunSummary, in_step, record_on_run, summarize_run
from governance.policy import load_policy

logger = get_logger(__name__)

PUSHGATEWAY_ENV_VAR = "KIT_PUSHGATEWAY_URL"


def build_registry(summary: RunSummary) -> tuple[CollectorRegistry, dict[str, float]]:
    """Return a registry holding the run's gauges, and the same values as a plain dict."""
    values: dict[str, float] = {
        "kit_pipeline_run_success": 1.0 if summary.status == "completed" else 0.0,
        "kit_pipeline_run_finished_timestamp_seconds": time.time(),
    }
    if summary.duration_seconds is not None:
        values["kit_pipeline_run_duration_seconds"] = summary.duration_seconds
    for metric in ("accuracy", "f1"):
        if metric in summary.metrics:
            values[f"kit_model_{metric}"] = summary.metrics[metric]
    if summary.rows is not None:
        values["kit_dataset_rows"] = float(summary.rows)
    registry = CollectorRegistry()
    for name, value in values.items():
        Gauge(name, _HELP[name], registry=registry).set(value)
    return registry, values


_HELP = {
    "kit_pipeline_run_success": "1 if the last governed run completed, 0 if it failed",
    "kit_pipeline_run_finished_timestamp_seconds": "Unix time the last governed run ended",
    "kit_pipeline_run_duration_seconds": "Wall-clock duration of the last governed run",
    "kit_model_accuracy": "Held-out accuracy of the model trained by the last run",
    "kit_model_f1": "Held-out F1 of the model trained by the last run",
    "kit_dataset_rows": "Rows in the validated dataset of the last run",
}


def grouping_key(summary: RunSummary) -> dict[str, str]:
    """Return the Pushgateway grouping labels of a run."""
    return {
        "pipeline": summary.pipeline,
        "environment": summary.environment,
        "model": summary.model_name or "none",
    }


def push(summary: RunSummary, gateway: str | None, job: str, timeout: float) -> dict[str, str]:
    """Push the run's gauges to ``gateway`` (or log them when it is None); never raise."""
    registry, values = build_registry(summary)
    shown = ", ".join(f"{k}={v:g}" for k, v in values.items())
    if not gateway:
        logger.info("run metrics (no Pushgateway configured): %s", shown)
        return {"delivery": "logged", "detail": "no Pushgateway configured"}
    try:
        push_to_gateway(
            gateway, job=job, registry=registry, grouping_key=grouping_key(summary), timeout=timeout
        )
    except Exception as error:  # noqa: BLE001 - monitoring must never fail the run
        detail = f"{type(error).__name__}: {error}"
        logger.error("metrics push to %s FAILED: %s; the run is unaffected", gateway, detail)
        return {"delivery": "failed", "detail": detail[:300]}
    logger.info("run metrics pushed to %s: %s", gateway, shown)
    return {"delivery": "sent", "detail": gateway}


def push_run_metrics(exception: BaseException | None = None) -> None:
    """Run-level ``on_end`` hook: push the run's duration, status, metrics and row count."""
    if in_step():
        logger.warning(
            "push_run_metrics is a run-level hook: attach it to a dynamic pipeline "
            "(@pipeline(dynamic=True)); skipping this step-level call"
        )
        return
    summary = summarize_run(exception)
    notifications = load_policy().notifications
    gateway = os.environ.get(PUSHGATEWAY_ENV_VAR, "").strip() or None
    outcome = push(
        summary, gateway, notifications.pushgateway_job, notifications.pushgateway_timeout_seconds
    )
    record_on_run(summary.run_id, "kit_metrics_push", outcome)

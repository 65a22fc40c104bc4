"""Where a governed step or hook is running: its environment, run and model version.

Environment resolution (inside steps and hooks): the run's ``extra["kit_environment"]`` stamped by
:func:`governance.environments.governed`, else the ``KIT_ENVIRONMENT`` variable, else ``dev``.
"""

from __future__ import annotations

import os
from typing import Any

from zenml import get_step_context, log_metadata
from zenml.logger import get_logger

logger = get_logger(__name__)

ENVIRONMENT_KEY = "kit_environment"
"""The key :func:`governance.environments.governed` sets in the run configuration's ``extra``."""

RUN_METRICS_KEY = "kit_metrics"
"""Run metadata holding the validated model metrics (read by the alert and monitoring hooks)."""

RUN_ROWS_KEY = "kit_dataset_rows"
"""Run metadata holding the validated dataset's row count."""


def normalise_environment(value: str | None) -> str:
    """Return ``value`` lower-cased and stripped, or ``dev`` when empty."""
    return (value or "dev").strip().lower() or "dev"


def current_run() -> Any | None:
    """Return the pipeline run of the calling step or run-level hook, or ``None`` outside one."""
    try:
        return get_step_context().pipeline_run
    except RuntimeError:
        pass
    from zenml.execution.pipeline.dynamic.run_context import DynamicPipelineRunContext

    run_context = DynamicPipelineRunContext.get()
    return run_context.run if run_context is not None else None


def run_environment(run: Any | None = None) -> str:
    """Return the environment a step or hook runs in (see the module docstring)."""
    run = run if run is not None else current_run()
    extra = {}
    if run is not None:
        extra = getattr(getattr(run, "config", None), "extra", None) or {}
    return normalise_environment(extra.get(ENVIRONMENT_KEY) or os.environ.get("KIT_ENVIRONMENT"))


def log_step_report(key: str, report: dict[str, Any], run_metadata: dict[str, Any]) -> None:
    """Log a gate's report on the step and on the model version in context; facts on the run.

    Failures to log are reported, never raised: the gate's verdict must not depend on them.
    """
    context = get_step_context()
    log_metadata(metadata={key: report})
    if context.model_version is not None:
        try:
            log_metadata(metadata={key: report}, model_version_id=context.model_version.id)
        except Exception as error:  # noqa: BLE001 - metadata is a record, not the decision
            logger.warning("could not log %s on the model version: %s", key, error)
    if run_metadata:
        try:
            log_metadata(metadata=run_metadata, run_id_name_or_prefix=context.pipeline_run.id)
        except Exception as error:  # noqa: BLE001
            logger.warning("could not log %s on the run: %s", sorted(run_metadata), error)

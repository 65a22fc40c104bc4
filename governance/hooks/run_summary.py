"""What the run-level hooks report about a run: pipeline, run, model version, metrics, status."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from zenml.client import Client
from zenml.logger import get_logger

from governance.context import RUN_METRICS_KEY, RUN_ROWS_KEY, current_run, run_environment

logger = get_logger(__name__)


@dataclass
class RunSummary:
    """The facts an alert or a metrics push carries about one run."""

    pipeline: str
    run_name: str
    run_id: str
    environment: str
    status: str
    model_name: str | None = None
    model_version: str | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    rows: int | None = None
    duration_seconds: float | None = None
    error: str | None = None


def describe_exception(exception: BaseException | None) -> str | None:
    """Return ``Type: message`` for the exception and each exception that caused it."""
    parts, seen = [], set()
    while exception is not None and id(exception) not in seen:
        seen.add(id(exception))
        parts.append(f"{type(exception).__name__}: {exception}".strip())
        exception = exception.__cause__ or exception.__context__
    return "\ncaused by ".join(parts) if parts else None


def _duration(start: datetime | None) -> float | None:
    if start is None:
        return None
    now = datetime.now(UTC)
    if start.tzinfo is None:
        now = now.replace(tzinfo=None)
    return round(max((now - start).total_seconds(), 0.0), 3)


def in_step() -> bool:
    """Return True when called from inside a step (or a step-level hook)."""
    from zenml import get_step_context

    try:
        get_step_context()
    except RuntimeError:
        return False
    return True


def summarize_run(exception: BaseException | None = None, status: str | None = None) -> RunSummary:
    """Summarise the run of the calling run-level hook (metadata re-read from the store)."""
    run = current_run()
    if run is None:
        raise RuntimeError("not inside a pipeline run")
    try:
        fresh = Client().get_pipeline_run(run.id)
    except Exception as error:  # noqa: BLE001 - fall back to what the context holds
        logger.warning("could not re-read run %s: %s", run.id, error)
        fresh = run
    metadata = dict(fresh.run_metadata or {})
    metrics = metadata.get(RUN_METRICS_KEY) or {}
    rows = metadata.get(RUN_ROWS_KEY)
    model_version = fresh.model_version or run.model_version
    return RunSummary(
        pipeline=fresh.pipeline.name if fresh.pipeline else "unknown",
        run_name=fresh.name,
        run_id=str(fresh.id),
        environment=run_environment(fresh),
        status=status or ("failed" if exception is not None else "completed"),
        model_name=model_version.model.name if model_version else None,
        model_version=str(model_version.name) if model_version else None,
        metrics={k: float(v) for k, v in metrics.items() if isinstance(v, (int, float))},
        rows=int(rows) if isinstance(rows, (int, float)) else None,
        duration_seconds=_duration(fresh.start_time or run.start_time),
        error=describe_exception(exception),
    )


def record_on_run(run_id: str, key: str, value: dict[str, Any]) -> None:
    """Log ``{key: value}`` as run metadata; a failure is logged, never raised."""
    from zenml import log_metadata

    try:
        log_metadata(metadata={key: value}, run_id_name_or_prefix=run_id)
    except Exception as error:  # noqa: BLE001 - a record, never a reason to fail
        logger.warning("could not record %s on run %s: %s", key, run_id, error)

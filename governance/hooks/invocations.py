"""List the hook calls ZenML recorded for a run (for notebooks and audits)."""

from __future__ import annotations

from uuid import UUID

import pandas as pd
from zenml.client import Client

COLUMNS = ["hook_type", "name", "source", "status", "step", "start_time", "duration_seconds"]


def hook_invocations(run_id: UUID | str) -> pd.DataFrame:
    """Return one row per recorded hook invocation of a run, oldest first.

    Args:
        run_id: The pipeline run's id (or name/prefix).

    Returns:
        Columns ``hook_type`` (``run_success``, ``run_end``, ``step_success``, ...), ``name``,
        ``source`` (the hook's import path), ``status``, ``step`` (for step-level hooks),
        ``start_time`` and ``duration_seconds``. Init and cleanup hooks are not recorded by
        ZenML, so they never appear.
    """
    client = Client()
    run = client.get_pipeline_run(run_id)
    step_names = {step.id: name for name, step in run.steps.items()}
    rows = []
    page = 1
    while True:
        result = client.list_hook_invocations(
            pipeline_run_id=run.id, sort_by="asc:created", page=page, size=100, hydrate=True
        )
        for item in result.items:
            body = item.body
            end = body.end_time
            rows.append(
                {
                    "hook_type": body.hook_type.value,
                    "name": item.name,
                    "source": item.metadata.source if item.metadata else None,
                    "status": body.status.value,
                    "step": step_names.get(body.step_run_id) if body.step_run_id else None,
                    "start_time": body.start_time,
                    "duration_seconds": (end - body.start_time).total_seconds() if end else None,
                }
            )
        if page >= result.total_pages:
            break
        page += 1
    return pd.DataFrame(rows, columns=COLUMNS)

"""Batch inference: load the production model *by stage*, gate the batch, score, check drift.

    from lib.pipelines.batch_inference import batch_inference_pipeline, production_model

    governed(batch_inference_pipeline.with_options(model=production_model()), "production")()

Run it against the production side (a production server, or the embedded production store):
the model is whatever version holds the ``production`` stage there when the run starts, and
the run and its predictions are linked to that version. The batch passes through the
platform's data-quality gate first (``gate_data_quality``: it returns its report; scoring and
the drift check read the batch from the very artifact the gate checked); drift is measured
against the training reference that travelled with the model in its bundle. Scheduling is
external (a CI cron): the local orchestrator has no schedules.
"""

from __future__ import annotations

from zenml import Model, pipeline

from governance.steps import gate_data_quality
from lib.config import model_name
from lib.pipelines.training import DEFAULT_TAGS
from lib.steps.inference.check_drift import check_drift
from lib.steps.inference.load_batch import load_batch
from lib.steps.inference.score_batch import score_batch


def production_model(suffix: str = "") -> Model:
    """The model version live in production, by stage (resolved when a run starts)."""
    return Model(name=model_name(suffix), version="production", tags=list(DEFAULT_TAGS))


@pipeline(enable_cache=False, dynamic=True)
def batch_inference_pipeline(
    n_rows: int = 1000, input_path: str = "", drift_shift: float = 0.0, random_state: int = 7
) -> None:
    """Score one batch with the production model and check it for drift."""
    batch = load_batch(
        n_rows=n_rows, input_path=input_path, drift_shift=drift_shift, random_state=random_state
    )
    # Steps run one after the other: a refused batch fails the run here, before any scoring.
    gate_data_quality(batch)
    score_batch(batch)
    check_drift(batch)

"""Chapter 06: a batch inference run's summary, its drift, and the trace back to training."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from lib.display.common import step_output


@dataclass
class BatchSummary:
    """What a batch inference run produced and what it is linked to."""

    run_name: str
    status: str
    model_version: str
    source_version: Any
    rows_scored: int
    malignant_share: float
    drifted: bool
    max_psi: float
    n_alert: int
    linked_to_version: bool
    predictions_uri: str
    gate: dict[str, Any] = field(default_factory=dict)

    def _repr_markdown_(self) -> str:
        return "\n".join(
            [
                f"Run `{self.run_name}` ({self.status}) scored **{self.rows_scored}** rows with "
                f"production version **{self.model_version}** (source version "
                f"{self.source_version}).",
                "",
                f"- predicted malignant: {self.malignant_share:.1%}",
                f"- data-quality gate: {self.gate.get('passed', '?')} of "
                f"{self.gate.get('total', '?')} checks passed",
                f"- drift: max PSI {self.max_psi:.3f}, {self.n_alert} features alerting, "
                f"drifted = **{self.drifted}**",
                f"- predictions linked to the model version: **{self.linked_to_version}**",
            ]
        )


def batch_summary(run: Any) -> BatchSummary:
    """Summarise a finished ``batch_inference_pipeline`` run read back from the store."""
    from zenml.client import Client
    from zenml.utils.pagination_utils import depaginate

    client = Client()
    run = client.get_pipeline_run(run.id)
    mv = run.model_version
    predictions = step_output(run, "score_batch", "predictions")
    scoring = run.steps["score_batch"].run_metadata.get("batch_scoring", {})
    drift = step_output(run, "check_drift", "drift_report").load()
    linked = depaginate(client.list_artifact_versions, model_version_id=mv.id)
    gate_step = "gate_data_quality" if "gate_data_quality" in run.steps else "validate_data_quality"
    checks = run.steps[gate_step].run_metadata
    gate = _gate_counts(checks)
    return BatchSummary(
        run_name=run.name,
        status=run.status.value,
        model_version=mv.name,
        source_version=scoring.get("source_version"),
        rows_scored=int(scoring.get("rows_scored", 0)),
        malignant_share=float(scoring.get("malignant_share", 0.0)),
        drifted=bool(drift["drifted"]),
        max_psi=float(drift["max_psi"]),
        n_alert=int(drift["n_alert"]),
        linked_to_version=predictions.id in {a.id for a in linked},
        predictions_uri=predictions.uri,
        gate=gate,
    )


def _gate_counts(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """Count passed checks in a gate step's report metadata, wherever it keeps them."""
    for value in metadata.values():
        if isinstance(value, Mapping) and isinstance(value.get("checks"), Mapping):
            checks = value["checks"]
            return {
                "passed": sum(bool(c.get("passed")) for c in checks.values()),
                "total": len(checks),
            }
    return {}


def plot_drift(reports: Mapping[str, dict[str, Any]], top: int = 10) -> Figure:
    """Bar chart of PSI per feature for several batches (the ``top`` most drifted features)."""
    first = next(iter(reports.values()))
    thresholds = first["thresholds"]
    frame = pd.DataFrame(
        {label: {k: f["psi"] for k, f in r["features"].items()} for label, r in reports.items()}
    )
    frame = frame.loc[frame.max(axis=1).sort_values(ascending=False).index[:top]]
    import matplotlib.pyplot as plt  # pyplot: a notebook shows the figure when the cell ends

    figure, ax = plt.subplots(figsize=(8, 4))
    frame.iloc[::-1].plot.barh(ax=ax)
    ax.axvline(thresholds["warn_psi"], color="orange", linestyle="--", label="warn")
    ax.axvline(thresholds["alert_psi"], color="red", linestyle="--", label="alert")
    ax.set_xlabel("PSI against the training reference")
    ax.set_title(f"Feature drift: the {len(frame)} most moved features")
    ax.legend(loc="lower right")
    figure.tight_layout()
    return figure


@dataclass
class PredictionTrace:
    """The hops from one batch of predictions back to the training run on dev-staging."""

    hops: list[dict[str, Any]]
    training_run: dict[str, Any]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.hops).set_index("hop")

    def __repr__(self) -> str:
        return self.frame().to_string()

    def _repr_html_(self) -> str:
        return "<p><b>From a prediction back to its training run</b></p>" + self.frame().to_html()


def trace_prediction(run: Any, source: Any) -> PredictionTrace:
    """Walk from a batch run's predictions to the training run on the source side.

    On production (this process): predictions → the step and run that made them → the model
    version the run was linked to → its ``kit_source`` metadata. On dev-staging (a worker
    process, :mod:`governance.release`): the training run named there, its steps and artifacts.
    """
    from zenml.client import Client

    from governance.release.remote import run_on

    client = Client()
    run = client.get_pipeline_run(run.id)
    predictions = step_output(run, "score_batch", "predictions")
    step = client.get_run_step(predictions.producer_step_run_id)
    scoring = client.get_pipeline_run(step.pipeline_run_id)
    mv = scoring.model_version
    linked = (mv.run_metadata or {}).get("kit_source") or {}
    bundle = (mv.run_metadata or {}).get("kit_bundle") or {}
    training = run_on(source, "describe_training_run", run_id=linked["training_run_id"])
    hops = [
        {"hop": 1, "side": "production", "what": "predictions artifact",
         "name": f"{predictions.name} v{predictions.version}", "id": str(predictions.id)},
        {"hop": 2, "side": "production", "what": "produced by step / run",
         "name": f"{step.name} / {scoring.name}", "id": str(scoring.id)},
        {"hop": 3, "side": "production", "what": "model version (by stage)",
         "name": f"{mv.model.name} {mv.name}", "id": str(mv.id)},
        {"hop": 4, "side": "boundary", "what": "signed bundle (kit_bundle, kit_source)",
         "name": f"sha256 {str(bundle.get('sha256', ''))[:16]}…, verified={bundle.get('verified')}",
         "id": linked.get("location")},
        {"hop": 5, "side": "dev-staging", "what": "source model version",
         "name": f"{linked.get('model')} v{linked.get('model_version')}",
         "id": linked.get("model_version_id")},
        {"hop": 6, "side": "dev-staging", "what": "training run",
         "name": f"{training['name']} ({training['status']})", "id": training["id"]},
        {"hop": 7, "side": "git", "what": "commit", "name": linked.get("git_commit"),
         "id": ""},
    ]  # fmt: skip
    return PredictionTrace(hops=hops, training_run=training)

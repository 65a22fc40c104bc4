"""Step: compare the batch with the training reference that travelled with the model."""

import os
from typing import Annotated

import pandas as pd
from zenml import get_step_context, log_metadata, step
from zenml.logger import get_logger

from governance.drift import drift_report, push_drift_metrics
from governance.policy import load_policy

logger = get_logger(__name__)


@step
def check_drift(batch: pd.DataFrame) -> Annotated[dict, "drift_report"]:
    """PSI per feature against the model version's ``reference_profile`` (policy thresholds).

    The report is logged on the step, the run and the model version, and pushed as metrics when
    ``KIT_PUSHGATEWAY_URL`` is set. Drift is reported, never blocking.
    """
    context = get_step_context()
    version = context.model_version
    profile = version.get_artifact("reference_profile").load()
    report = drift_report(batch, profile, load_policy().drift)
    summary = {k: v for k, v in report.items() if k != "features"}
    summary["psi"] = {name: f["psi"] for name, f in report["features"].items()}
    log_metadata(metadata={"drift": summary})
    log_metadata(metadata={"drift": summary}, run_id_name_or_prefix=context.pipeline_run.id)
    log_metadata(metadata={"last_batch_drift": summary}, model_version_id=version.id)
    delivery = push_drift_metrics(
        report, version.model.name, version.name, os.environ.get("KIT_PUSHGATEWAY_URL")
    )
    log_metadata(metadata={"drift_metrics_push": delivery})
    logger.info(
        "drift: %d of %d features alerting, max PSI %.3f, drifted=%s",
        report["n_alert"],
        report["n_features"],
        report["max_psi"],
        report["drifted"],
    )
    return report

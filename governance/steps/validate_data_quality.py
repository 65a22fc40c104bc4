"""Gate steps: the dataset must satisfy the policy's data-quality rules.

``validate_data_quality`` passes the checked dataset on as its output (training pipelines feed
it to the next step). ``gate_data_quality`` applies the same checks and returns only the report:
for a large batch that the next steps read from the artifact it was checked in, so a million
rows are not stored a second time just to come out of the gate unchanged.
"""

from typing import Annotated, Any

import pandas as pd
from zenml import step
from zenml.logger import get_logger

from governance.checks import GateError, check_data_quality, failed, report
from governance.context import RUN_ROWS_KEY, log_step_report, run_environment
from governance.materializers import DataFrameParquetMaterializer
from governance.policy import load_policy

logger = get_logger(__name__)


def apply_data_quality_gate(dataset: pd.DataFrame) -> dict[str, Any]:
    """Check ``dataset``, log the report, raise :class:`GateError` where the policy enforces.

    The report is logged as metadata on the step and on the model version in context. In an
    environment that does not enforce (``dev``) a breach is logged as a warning instead.
    """
    policy = load_policy()
    environment = run_environment()
    enforce = policy.environment(environment).enforce
    results = check_data_quality(dataset, policy.data_quality)
    failures = failed(results)
    summary = report(
        results,
        environment=environment,
        enforced=enforce,
        rows=len(dataset),
        columns=dataset.shape[1],
        policy_sha256=policy.sha256,
    )
    log_step_report("data_quality", summary, {RUN_ROWS_KEY: len(dataset)})
    if failures and enforce:
        raise GateError("data-quality gate", failures)
    if failures:
        logger.warning(
            "data-quality gate (%s, not enforced): %d check(s) failed: %s",
            environment,
            len(failures),
            "; ".join(f.describe() for f in failures),
        )
    else:
        logger.info("data-quality gate passed %d checks (%s)", len(results), environment)
    return summary


@step(output_materializers=DataFrameParquetMaterializer)
def validate_data_quality(dataset: pd.DataFrame) -> Annotated[pd.DataFrame, "validated_dataset"]:
    """Pass ``dataset`` through if it meets the policy; otherwise refuse, listing every breach."""
    apply_data_quality_gate(dataset)
    return dataset


@step
def gate_data_quality(dataset: pd.DataFrame) -> Annotated[dict, "data_quality_report"]:
    """Refuse ``dataset`` if it breaks the policy (listing every breach); return the report.

    Downstream steps take the dataset from the same artifact and run ``after`` this step.
    """
    return apply_data_quality_gate(dataset)

"""Gate step: the trained model's held-out metrics must meet the stage's thresholds."""

from numbers import Real
from typing import Annotated

from zenml import step
from zenml.logger import get_logger

from governance.checks import GateError, check_performance, failed, report
from governance.context import RUN_METRICS_KEY, log_step_report, run_environment
from governance.policy import load_policy

logger = get_logger(__name__)


@step
def validate_model_performance(metrics: dict) -> Annotated[dict, "validated_metrics"]:
    """Pass ``metrics`` through if they meet the thresholds of the environment's stage.

    ``dev`` reports against the staging thresholds without blocking; ``staging`` and
    ``production`` refuse with a message listing every metric under its minimum.
    """
    policy = load_policy()
    environment = run_environment()
    rules = policy.environment(environment)
    thresholds = policy.thresholds_for(rules.stage)
    results = check_performance(metrics, thresholds)
    failures = failed(results)
    numeric = {
        k: float(v) for k, v in metrics.items() if isinstance(v, Real) and not isinstance(v, bool)
    }
    summary = report(
        results,
        environment=environment,
        stage=rules.stage,
        enforced=rules.enforce,
        thresholds=thresholds,
        policy_sha256=policy.sha256,
    )
    log_step_report("performance_gate", summary, {RUN_METRICS_KEY: numeric})
    if failures and rules.enforce:
        raise GateError(f"performance gate ({rules.stage} thresholds)", failures)
    if failures:
        logger.warning(
            "performance gate (%s, not enforced): %s",
            environment,
            "; ".join(f.describe() for f in failures),
        )
    return metrics

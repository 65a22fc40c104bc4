"""Hooks the platform attaches from outside the pipeline code (see governance.environments).

- ``enforce_model_governance``: init hook; the only hook that blocks (raising fails the run
  before any step runs).
- ``send_success_alert`` / ``send_failure_alert``: run-level alerts, one per run.
- ``push_run_metrics``: run-level end hook pushing run metrics to a Prometheus Pushgateway.
- ``hook_invocations``: what ZenML recorded about a run's hook calls, as a table.
"""

from governance.hooks.alerts import send_failure_alert, send_success_alert
from governance.hooks.invocations import hook_invocations
from governance.hooks.model_governance import GovernanceError, enforce_model_governance
from governance.hooks.monitoring import push_run_metrics

__all__ = [
    "GovernanceError",
    "enforce_model_governance",
    "hook_invocations",
    "push_run_metrics",
    "send_failure_alert",
    "send_success_alert",
]

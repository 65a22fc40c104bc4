"""The production gates of a cross-boundary release (pure: checked on both sides)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from governance.checks import CheckResult, check_model_governance, check_performance
from governance.policy import Policy


def production_gates(
    model: str,
    tags: Iterable[str],
    metrics: Mapping[str, Any],
    source_stage: str,
    policy: Policy,
) -> list[CheckResult]:
    """Production thresholds, naming/tag rules and the required source stage, in one list."""
    results = check_performance(metrics, policy.thresholds_for("production"))
    results += check_model_governance(model, tags, policy.model)
    required = policy.production_promotion.require_source_stage
    if required:
        results.append(
            CheckResult("source stage", source_stage == required, source_stage, f"== {required}")
        )
    return results


def as_ledger_gates(results: Iterable[CheckResult]) -> list[dict[str, Any]]:
    """Return the results in the ledger's ``gates`` shape (name, passed, observed, expected)."""
    return [
        {"name": r.name, "passed": r.passed, "observed": r.observed, "expected": r.expected}
        for r in results
    ]

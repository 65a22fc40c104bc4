"""Champion vs challenger: turn a comparison into ``promote``, ``review`` or ``keep``, with reasons.

Pure policy logic, no ZenML: the thresholds come from the policy's ``champion_challenger`` and
``performance.production`` sections. Comparisons are inclusive (a value exactly at its threshold
passes), like every other gate.

The rules, in order:

1. the challenger must meet the **production thresholds**, or ``keep``;
2. with **no champion**, the gates alone decide: ``promote``;
3. the challenger's **primary metric** minus the champion's must reach ``min_metric_delta``, or
   ``keep``;
4. if **McNemar's exact test** says the champion makes significantly fewer errors (p below
   ``mcnemar_alpha``) although the primary metric improved, the evidence conflicts: ``review``;
5. if the models **agree** on fewer rows than ``min_agreement``, or their probabilities differ by
   more than ``max_mean_abs_prob_delta`` on average, they behave differently: ``review``;
6. otherwise ``promote``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from governance.checks import CheckResult, check_performance, failed, report
from governance.policy import Policy, load_policy

PROMOTE, REVIEW, KEEP = "promote", "review", "keep"


@dataclass
class Recommendation:
    """A recommendation and every check and reason behind it."""

    decision: str
    reasons: list[str]
    checks: list[CheckResult] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly form (for artifacts, metadata and the ledger)."""
        return {
            "decision": self.decision,
            "reasons": list(self.reasons),
            "checks": report(self.checks)["checks"],
        }

    def _repr_markdown_(self) -> str:
        lines = [f"### Recommendation: **{self.decision}**", ""]
        lines += [f"- {reason}" for reason in self.reasons]
        return "\n".join(lines)


def _at_least(name: str, value: float, minimum: float) -> CheckResult:
    return CheckResult(name, value >= minimum, value, f">= {minimum}")


def _at_most(name: str, value: float, maximum: float) -> CheckResult:
    return CheckResult(name, value <= maximum, value, f"<= {maximum}")


def recommend(
    challenger_metrics: Mapping[str, float],
    comparison: Mapping[str, Any] | None,
    policy: Policy | None = None,
) -> Recommendation:
    """Recommend what to do with a challenger.

    Args:
        challenger_metrics: The challenger's metrics on the comparison data.
        comparison: ``agreement``, ``mean_abs_prob_delta``, ``deltas`` (challenger - champion)
            and ``mcnemar`` (``p_value``, ``champion_only_correct``, ``challenger_only_correct``);
            ``None`` when there is no champion.
        policy: Defaults to :func:`governance.policy.load_policy`.
    """
    policy = policy or load_policy()
    rules = policy.champion_challenger
    gates = check_performance(challenger_metrics, policy.thresholds_for("production"))
    if failed(gates):
        breaches = "; ".join(f.describe() for f in failed(gates))
        return Recommendation(
            KEEP, [f"the challenger is below the production bar: {breaches}"], gates
        )
    passed_gates = f"the challenger meets every production threshold ({len(gates)} checks)"
    if comparison is None:
        reasons = ["no champion holds production: the recommendation rests on the gates alone"]
        return Recommendation(PROMOTE, [*reasons, passed_gates], gates)

    metric = rules.primary_metric
    delta = float(comparison["deltas"][metric])
    lift = _at_least(f"{metric} delta", delta, rules.min_metric_delta)
    agreement = _at_least("agreement", float(comparison["agreement"]), rules.min_agreement)
    drift = _at_most(
        "mean |Δ probability|",
        float(comparison["mean_abs_prob_delta"]),
        rules.max_mean_abs_prob_delta,
    )
    mcnemar = comparison["mcnemar"]
    p_value = float(mcnemar["p_value"])
    b, c = int(mcnemar["champion_only_correct"]), int(mcnemar["challenger_only_correct"])
    significant = p_value < rules.mcnemar_alpha
    checks = [*gates, lift, agreement, drift]

    lift_text = f"{metric} changes by {delta:+.4f} (the policy asks for {lift.expected})"
    test_text = (
        f"McNemar's exact test: the champion alone is right on {b} rows, the challenger alone on "
        f"{c}; p = {p_value:.3g} ({'below' if significant else 'not below'} "
        f"alpha {rules.mcnemar_alpha})"
    )
    if not lift.passed:
        return Recommendation(
            KEEP, [f"the challenger is not better: {lift_text}", test_text], checks
        )
    reasons = [passed_gates, lift_text, test_text]
    if significant and b > c:
        reasons.append(f"the champion makes significantly fewer errors although {metric} improved")
        return Recommendation(REVIEW, reasons, checks)
    behaviour = [check for check in (agreement, drift) if not check.passed]
    if behaviour:
        reasons += [f"the models behave differently: {check.describe()}" for check in behaviour]
        return Recommendation(REVIEW, reasons, checks)
    reasons.append(
        f"the models agree on {agreement.observed:.1%} of rows and their probabilities differ by "
        f"{drift.observed:.3f} on average, within the policy"
    )
    return Recommendation(PROMOTE, reasons, checks)

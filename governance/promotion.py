"""Promote a model version to a stage within one ZenML store: gates, ledger, then the stage.

    from governance.promotion import promote

    decision = promote("breast_cancer_classifier", "3", "staging", reason="best F1 this sprint")

1. **Gates** are the policy's: the target stage's performance thresholds (``check_performance``),
   the naming and tag rules (``check_model_governance``) and the data-quality verdict recorded
   when the version was trained. Every gate is evaluated, passed or not.
2. **The decision is appended to the ledger first** (:mod:`governance.ledger`), refused or not:
   who, when, from → to stage, every gate with its value and threshold, git commit, reason; a
   version it displaces gets an entry of its own.
3. A refusal raises :class:`PromotionRefused` naming every failing gate; no stage changes.
   A promotion then makes the store's stages match the ledger (:func:`sync_stages`).

Why the ledger decides and the stages follow: ZenML's ``set_stage(..., force=True)`` reads the
current holder and writes the new one in two statements, so two promotions racing can leave two
versions in one stage. The ledger's sequence numbers are claimed atomically, so "the latest
promotion into a stage holds it" is well defined; every promoter re-reads the ledger after each
stage write until the store matches it. Whoever writes last checks last, so the store ends with
exactly the holders the ledger implies, and both decisions are on record.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from governance.checks import (
    CheckResult,
    GateError,
    check_model_governance,
    check_performance,
    failed,
    report,
)
from governance.ledger import (
    PROMOTED,
    REFUSED,
    LedgerEntry,
    append_change,
    append_entry,
    read_ledger,
)
from governance.policy import Policy, load_policy

STAGES: tuple[str, ...] = ("staging", "production")
ACTOR_ENV_VAR = "KIT_ACTOR"
CI_ACTOR_VARIABLES: tuple[str, ...] = ("GITHUB_ACTOR", "GITLAB_USER_LOGIN", "BUILD_REQUESTEDFOR")
MAX_SYNC_ROUNDS = 20


class PromotionRefused(GateError):
    """A promotion the gates refused; the decision is already in the ledger."""

    def __init__(self, decision: PromotionDecision) -> None:
        self.decision = decision
        entry = decision.entry
        super().__init__(
            f"promotion of {entry.model} v{entry.version} to {entry.to_stage} "
            f"(ledger entry {entry.sequence})",
            failed(decision.gates),
        )


@dataclass
class PromotionDecision:
    """The outcome of one promotion attempt and the ledger entry that records it."""

    entry: LedgerEntry
    gates: list[CheckResult]

    @property
    def promoted(self) -> bool:
        """Whether the version was promoted."""
        return self.entry.decision == PROMOTED

    def _repr_markdown_(self) -> str:
        e = self.entry
        verdict = "**Promoted**" if self.promoted else "**Refused**"
        lines = [
            f"{verdict}: {e.model} v{e.version}, {e.from_stage} → {e.to_stage} "
            f"(ledger entry {e.sequence}, by `{e.actor}`, {e.timestamp[:19]} UTC)",
            "",
            "| gate | value | threshold | result |",
            "|---|---|---|---|",
            *[_gate_row(g) for g in self.gates],
        ]
        if e.previous_holder:
            action = "archived" if e.previous_holder_action == "archive" else "demoted"
            lines += ["", f"v{e.previous_holder} held {e.to_stage} before and was {action}."]
        return "\n".join(lines)


def _gate_row(g: CheckResult) -> str:
    verdict = "pass" if g.passed else "**FAIL**"
    return f"| {g.name} | {_show(g.observed)} | {g.expected} | {verdict} |"


def _show(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def resolve_actor(actor: str | None = None) -> tuple[str, str]:
    """Return ``(who, how)``: who acted, for every ledger entry on either side of a release.

    The one place that decides: an explicit actor, else ``KIT_ACTOR``, else a CI user variable
    (``GITHUB_ACTOR``...), else the OS user. ``how`` is ``explicit``, ``env``, ``ci`` or ``local``.
    """
    if actor and actor.strip():
        return actor.strip(), "explicit"
    if os.environ.get(ACTOR_ENV_VAR, "").strip():
        return os.environ[ACTOR_ENV_VAR].strip(), "env"
    for variable in CI_ACTOR_VARIABLES:
        if os.environ.get(variable, "").strip():
            return os.environ[variable].strip(), "ci"
    try:
        return getpass.getuser(), "local"
    except (KeyError, OSError):
        return _zenml_user() or "unknown", "local"


def _zenml_user() -> str | None:
    from zenml.client import Client

    try:
        return Client().active_user.name
    except Exception:  # noqa: BLE001 - the user name is a courtesy, not a requirement
        return None


def version_metrics(model_version: Any) -> dict[str, float]:
    """Return a version's held-out metrics: its ``metrics`` artifact, else its metadata."""
    try:
        metrics = model_version.get_artifact("metrics")
    except Exception:  # noqa: BLE001 - fall back to metadata below
        metrics = None
    values = metrics.load() if metrics is not None else dict(model_version.run_metadata or {})
    return {k: float(v) for k, v in values.items() if isinstance(v, (int, float))}


def evaluate_gates(model_version: Any, stage: str, policy: Policy) -> list[CheckResult]:
    """Evaluate every promotion gate of ``stage`` on a model version (pure policy checks)."""
    name = model_version.model.name
    tags = [t.name for t in model_version.tags]
    results = check_performance(version_metrics(model_version), policy.thresholds_for(stage))
    results += check_model_governance(name, tags, policy.model)
    verdict = (model_version.run_metadata or {}).get("data_quality", {})
    passed = verdict.get("passed") if isinstance(verdict, Mapping) else None
    results.append(
        CheckResult(
            "training data-quality gate",
            passed is True,
            "passed" if passed else ("failed" if passed is False else "not recorded"),
            "passed when the version was trained",
        )
    )
    return results


def stage_holders(model: str) -> dict[str, list[str]]:
    """Return ``{stage: [versions]}`` for staging and production as the store has them now."""
    from zenml.client import Client
    from zenml.utils.pagination_utils import depaginate

    client = Client()
    return {
        stage: [mv.name for mv in depaginate(client.list_model_versions, model=model, stage=stage)]
        for stage in STAGES
    }


def sync_stages(model: str) -> dict[str, str]:
    """Make the store's staging/production holders match the ledger; return them.

    Safe to call any time and from many processes at once: it only ever moves the store towards
    the holders :func:`governance.ledger.replay` derives, and re-reads the ledger after writing.

    Raises:
        RuntimeError: if the store did not settle after ``MAX_SYNC_ROUNDS`` rounds.
    """
    from zenml.client import Client

    client = Client()
    for _ in range(MAX_SYNC_ROUNDS):
        wanted = read_ledger(model).holders()
        current = stage_holders(model)
        if all(current[stage] == [wanted[stage]] for stage in wanted):
            return wanted
        for stage, version in wanted.items():
            if version not in current[stage]:
                client.get_model_version(model, version).set_stage(stage, force=True)
            for other in current[stage]:
                if other != version and other not in wanted.values():
                    client.get_model_version(model, other).set_stage("archived", force=True)
    raise RuntimeError(f"stages of {model} did not settle after {MAX_SYNC_ROUNDS} rounds")


def promote(
    model: str,
    version: str | int,
    stage: str = "staging",
    *,
    reason: str,
    actor: str | None = None,
    source: str | None = None,
    approved_by: str | None = None,
    release_tag: str | None = None,
    extra: Mapping[str, Any] | None = None,
    policy: Policy | None = None,
) -> PromotionDecision:
    """Promote ``model`` version ``version`` to ``stage`` if the policy's gates pass.

    Args:
        model: The model name.
        version: The version name or number (``"3"``), or a stage (``"staging"``).
        stage: ``staging`` or ``production``.
        reason: Free text for the ledger: why this promotion is asked for.
        actor: Who asks; defaults to the CI user variable, else the OS user.
        source: Where the request came from (``cli``, ``notebook``, ``ci``...).
        approved_by: Who approved it, when a human approval preceded it.
        release_tag: The release that triggered it (GitOps).
        extra: More fields for the ledger entry (kept as given).
        policy: The policy to apply; defaults to :func:`governance.policy.load_policy`.

    Returns:
        The decision, with its ledger entry.

    Raises:
        PromotionRefused: a gate failed; the refusal is in the ledger and no stage changed.
        ValueError: ``stage`` is not ``staging`` or ``production``.
    """
    from zenml.client import Client

    if stage not in STAGES:
        raise ValueError(f"stage must be one of {', '.join(STAGES)}; got {stage!r}")
    policy = policy or load_policy()
    client = Client()
    mv = client.get_model_version(model, str(version))
    gates = evaluate_gates(mv, stage, policy)
    who, how = resolve_actor(actor)
    holders = stage_holders(model)[stage]
    replaced = next((v for v in holders if v != mv.name), None)
    on_replace = policy.promotion.on_replace[stage]
    meta = mv.run_metadata or {}
    refused = bool(failed(gates))
    fields = {
        **dict(extra or {}),
        "version": mv.name,
        "version_id": str(mv.id),
        "decision": REFUSED if refused else PROMOTED,
        "from_stage": str(mv.stage or "none"),
        "to_stage": stage,
        "actor": who,
        "source": source or ("ci" if how == "ci" else "api"),
        "reason": reason,
        "gates": [{"name": name, **check} for name, check in report(gates)["checks"].items()],
        "git_commit": str(meta.get("git_commit", "unknown")),
        "data_sha256": str(meta.get("data_sha256", "")),
        "policy_sha256": policy.sha256,
        "previous_holder": None if refused else replaced,
        "previous_holder_action": None if refused or not replaced else on_replace,
        "approved_by": approved_by,
        "release_tag": release_tag,
        "zenml_user": _zenml_user(),
    }
    entry = append_entry(model, **fields) if refused else append_change(model, **fields)[0]
    decision = PromotionDecision(entry=entry, gates=gates)
    if not decision.promoted:
        raise PromotionRefused(decision)
    sync_stages(model)
    return decision

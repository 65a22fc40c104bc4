"""Markdown the GitOps workflows post: a training run's metrics, gates and promotion decision.

The staging workflow comments this on the pull request that triggered the training, so a
reviewer sees the numbers and the gates' verdicts next to the code change.
"""

from __future__ import annotations

from typing import Any

from governance.policy import METRIC_NAMES

GATE_KEYS: tuple[tuple[str, str], ...] = (
    ("data_quality", "Data quality"),
    ("performance_gate", "Model performance"),
)


def pr_comment(model: str, version: str = "latest") -> str:
    """Return the PR comment for one model version, read from the ZenML store."""
    from zenml.client import Client

    from governance.ledger import stage_name

    mv = Client().get_model_version(model, version)
    metadata = dict(mv.run_metadata)
    thresholds = (metadata.get("performance_gate") or {}).get("thresholds") or {}
    decisions = _ledger_entries(model, mv.name)
    return render_pr_comment(
        model=model,
        version=mv.name,
        stage=stage_name(mv),
        metadata=metadata,
        thresholds=thresholds,
        decisions=decisions,
    )


def render_pr_comment(
    *,
    model: str,
    version: str,
    stage: str,
    metadata: dict[str, Any],
    thresholds: dict[str, float],
    decisions: list[dict[str, Any]],
) -> str:
    """Render the comment from plain values (no ZenML), so it can be tested directly."""
    lines = [
        f"### `{model}` version {version} — stage `{stage}`",
        "",
        f"Git commit `{metadata.get('git_commit', 'unknown')}` · data SHA-256 "
        f"`{str(metadata.get('data_sha256', ''))[:12]}` · variant "
        f"`{metadata.get('variant', '?')}` · SMOTE {_yes(metadata.get('smote_applied'))} · "
        f"PCA {_yes(metadata.get('pca_applied'))}",
        "",
        "| metric | value | staging minimum | |",
        "|---|---:|---:|---|",
    ]
    for name in METRIC_NAMES:
        if name not in metadata:
            continue
        value, minimum = float(metadata[name]), thresholds.get(name)
        verdict = "" if minimum is None else ("✅" if value >= float(minimum) else "❌")
        shown_min = "—" if minimum is None else f"{float(minimum):.3f}"
        lines.append(f"| {name} | {value:.3f} | {shown_min} | {verdict} |")
    lines += ["", "**Gates**", ""]
    for key, label in GATE_KEYS:
        gate = metadata.get(key)
        if not isinstance(gate, dict):
            lines.append(f"- {label}: not recorded")
            continue
        verdict = (
            "passed"
            if gate.get("passed")
            else "FAILED: " + ", ".join(gate.get("failed_checks", []))
        )
        lines.append(f"- {label}: {verdict} ({gate.get('n_checks', '?')} checks)")
    lines += ["", "**Promotion decisions**", ""]
    if not decisions:
        lines.append("- none recorded for this version")
    for d in decisions:
        failed = [g.get("name") for g in d.get("gates", []) if not g.get("passed")]
        why = f" — failing gates: {', '.join(failed)}" if failed else ""
        lines.append(
            f"- #{d.get('sequence')} {d.get('decision')} → `{d.get('to_stage')}` by "
            f"{d.get('actor')}{why}"
        )
    return "\n".join(lines) + "\n"


def _yes(flag: Any) -> str:
    return "ran" if flag else "skipped"


def _ledger_entries(model: str, version: str) -> list[dict[str, Any]]:
    from governance.ledger import read_ledger

    return [e.model_dump(mode="json") for e in read_ledger(model).for_version(version)]

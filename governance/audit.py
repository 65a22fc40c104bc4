"""The audit pack: one self-contained HTML file about one model version, for reviewers.

Sections (each a ``<section id=...>``): ``model-card`` (purpose, data, intended use,
limitations, from ZenML's ``Model`` fields), ``metrics`` (against the policy's staging and
production thresholds), ``gates`` (the gate reports recorded at training, and every promotion
decision's gates), ``ledger`` (the model's promotion ledger, this version's rows marked),
``comparison`` (the last champion/challenger recommendation, when there is one), ``lineage``
(an SVG drawing supplied by the caller) and ``provenance`` (git commit, data hash, runs).

Everything is read from the ZenML store and the policy when the pack is written; no external
files, scripts or fonts are referenced, so the file can be archived or mailed as it is. The page
is the jinja2 template ``templates/audit_pack.html``, rendered with autoescape: a model name,
tag, reason or metadata value holding markup is shown as text, never run.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from governance.checks import check_performance
from governance.ledger import Ledger, read_ledger
from governance.policy import Policy, load_policy
from governance.promotion import version_metrics

SECTIONS: tuple[str, ...] = (
    "model-card",
    "metrics",
    "gates",
    "ledger",
    "comparison",
    "lineage",
    "provenance",
)
"""The ``<section id=...>`` of the pack, in order."""

TEMPLATE_DIR: Path = Path(__file__).resolve().parent / "templates"


def _fmt(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


_TEMPLATES = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_TEMPLATES.filters["fmt"] = _fmt


def _metric_rows(mv: Any, policy: Policy) -> list[dict[str, Any]]:
    """One row per metric: its value and, per stage, ``{minimum, passed}`` or None (not gated)."""
    metrics = version_metrics(mv)
    stages = [policy.thresholds_for(stage) for stage in ("staging", "production")]
    passed = [{r.name.split()[0]: r.passed for r in check_performance(metrics, s)} for s in stages]
    return [
        {
            "name": name,
            "value": metrics.get(name, "missing"),
            "limits": [
                {"minimum": limits[name], "passed": verdicts[name]} if name in limits else None
                for limits, verdicts in zip(stages, passed, strict=True)
            ],
        }
        for name in sorted(set(metrics).union(*stages))
    ]


def _training_gates(meta: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The gate reports recorded at training: title, report (None if absent), failed checks."""
    gates = []
    for key, title in (("data_quality", "Data quality"), ("performance_gate", "Performance")):
        report = meta.get(key)
        if not isinstance(report, Mapping):
            gates.append({"title": title, "report": None})
            continue
        checks = report.get("checks", {})
        failed = [name for name, check in checks.items() if not check.get("passed")]
        gates.append({"title": title, "report": report, "checks": len(checks), "failed": failed})
    return gates


def render_audit_html(
    mv: Any, ledger: Ledger, policy: Policy, lineage_svg: str | None = None
) -> str:
    """Return the audit pack of model version ``mv`` (a ZenML response) as one HTML document.

    ``lineage_svg`` is inserted as it is: pass a drawing you made, never text from elsewhere.
    """
    meta = mv.run_metadata or {}
    return _TEMPLATES.get_template("audit_pack.html").render(
        model=mv.model.name,
        mv=mv,
        meta=meta,
        policy=policy,
        written=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        metrics=_metric_rows(mv, policy),
        training_gates=_training_gates(meta),
        own_entries=ledger.for_version(mv.name),
        ledger_entries=list(ledger),
        ledger_problems=ledger.verify() if len(ledger) else [],
        lineage_svg=lineage_svg,
    )


def build_audit_html(
    model: str, version: str, lineage_svg: str | None = None, policy: Policy | None = None
) -> str:
    """Return the audit pack of ``model`` version ``version`` as one HTML document."""
    from zenml.client import Client

    mv = Client().get_model_version(model, str(version))
    return render_audit_html(mv, read_ledger(model), policy or load_policy(), lineage_svg)


def write_audit_pack(
    model: str, version: str, path: str | Path, lineage_svg: str | None = None
) -> Path:
    """Write the audit pack HTML to ``path`` (folders are created) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(build_audit_html(model, version, lineage_svg), encoding="utf-8")
    return path

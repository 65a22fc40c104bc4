"""The audit pack: one self-contained HTML file about one model version, for reviewers.

Sections (each a ``<section id=...>``): ``model-card`` (purpose, data, intended use,
limitations, from ZenML's ``Model`` fields), ``metrics`` (against the policy's staging and
production thresholds), ``gates`` (the gate reports recorded at training, and every promotion
decision's gates), ``ledger`` (the model's promotion ledger, this version's rows marked),
``comparison`` (the last champion/challenger recommendation, when there is one), ``lineage``
(an SVG drawing supplied by the caller) and ``provenance`` (git commit, data hash, runs).

Everything is read from the ZenML store and the policy when the pack is written; no external
files, scripts or fonts are referenced, so the file can be archived or mailed as it is.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from governance.checks import check_performance
from governance.ledger import read_ledger
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
_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:70rem;color:#1b2631}
h1{font-size:1.5rem}h2{border-bottom:1px solid #d5d8dc;padding-bottom:.2rem;margin-top:2rem}
table{border-collapse:collapse;font-size:.85rem}td,th{border:1px solid #d5d8dc;padding:.25rem .5rem}
th{background:#f4f6f6;text-align:left}.pass{color:#1e8449}.fail{color:#c0392b;font-weight:bold}
tr.this{background:#fef9e7}dt{font-weight:bold;margin-top:.5rem}code{font-size:.85rem}
"""


def _e(value: Any) -> str:
    return html.escape(str(value))


def _fmt(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else _e(value)


def _table(
    header: Iterable[str], rows: Iterable[Iterable[Any]], classes: Iterable[str] = ()
) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    classes = list(classes)
    body = []
    for i, row in enumerate(rows):
        css = f' class="{classes[i]}"' if i < len(classes) and classes[i] else ""
        body.append(f"<tr{css}>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _verdict(passed: Any) -> str:
    return '<span class="pass">pass</span>' if passed else '<span class="fail">FAIL</span>'


def _model_card(mv: Any) -> str:
    model = mv.model
    meta = mv.run_metadata or {}
    data = (
        f"Variant <code>{_e(meta.get('variant', '?'))}</code>, {_e(meta.get('data_rows', '?'))} "
        f"rows; SHA-256 <code>{_e(meta.get('data_sha256', 'not recorded'))}</code>"
    )
    fields = [
        ("Purpose", _e(model.description or "not stated")),
        ("Data", data),
        ("Intended use", _e(model.use_cases or "not stated")),
        ("Audience", _e(model.audience or "not stated")),
        ("Limitations", _e(model.limitations or "not stated")),
        ("Trade-offs", _e(model.trade_offs or "not stated")),
        ("Ethics", _e(model.ethics or "not stated")),
        ("Licence", _e(model.license or "not stated")),
    ]
    items = "".join(f'<dt>{k}</dt><dd data-field="{k.lower()}">{v}</dd>' for k, v in fields)
    return f"<dl>{items}</dl>"


def _metrics(mv: Any, policy: Policy) -> str:
    metrics = version_metrics(mv)
    staging, production = policy.thresholds_for("staging"), policy.thresholds_for("production")
    results = {
        stage: {r.name.split()[0]: r.passed for r in check_performance(metrics, limits)}
        for stage, limits in (("staging", staging), ("production", production))
    }
    rows = []
    for name in sorted(set(metrics) | set(staging) | set(production)):
        row = [f'<span data-metric="{_e(name)}">{_fmt(metrics.get(name, "missing"))}</span>']
        for stage, limits in (("staging", staging), ("production", production)):
            if name in limits:
                row += [_e(f">= {limits[name]}"), _verdict(results[stage][name])]
            else:
                row += ["not gated", ""]
        rows.append([_e(name), *row])
    header = ["metric", "value", "staging min", "", "production min", ""]
    return _table(header, rows) + f"<p>Policy <code>{_e(policy.sha256[:16])}</code>.</p>"


def _gate_reports(mv: Any) -> str:
    meta = mv.run_metadata or {}
    parts = []
    for key, title in (("data_quality", "Data quality"), ("performance_gate", "Performance")):
        report = meta.get(key)
        if not isinstance(report, Mapping):
            parts.append(f"<p>{title} gate at training: not recorded.</p>")
            continue
        checks = report.get("checks", {})
        failed = [name for name, check in checks.items() if not check.get("passed")]
        parts.append(
            f"<p>{title} gate at training ({_e(report.get('environment', '?'))}): "
            f"{_verdict(report.get('passed'))}, {len(checks)} checks, "
            f"failed: {_e(', '.join(failed) or 'none')}.</p>"
        )
    return "".join(parts)


def _promotion_gates(entries: list[Any]) -> str:
    if not entries:
        return "<p>No promotion of this version has been decided yet.</p>"
    parts = []
    for entry in entries:
        rows = [
            [_e(g["name"]), _fmt(g.get("observed")), _e(g.get("expected")), _verdict(g["passed"])]
            for g in entry.gates
        ]
        parts.append(
            f"<h3>Ledger entry {entry.sequence}: {_e(entry.decision)} to {_e(entry.to_stage)}</h3>"
            + _table(["gate", "value", "threshold", "result"], rows)
        )
    return "".join(parts)


def _ledger(ledger: Any, version: str) -> str:
    if not len(ledger):
        return "<p>The ledger is empty: no promotion decided yet.</p>"
    header = ["#", "time (UTC)", "version", "decision", "from → to", "actor", "source"]
    header += ["failed gates", "replaced", "git commit", "reason"]
    rows, classes = [], []
    for e in ledger:
        rows.append(
            [
                _e(e.sequence), _e(e.timestamp[:19].replace("T", " ")), _e(e.version),
                _e(e.decision), _e(f"{e.from_stage} → {e.to_stage}"), _e(e.actor), _e(e.source),
                _e(", ".join(e.failed_gates)), _e(e.previous_holder or ""),
                f"<code>{_e(e.git_commit[:12])}</code>", _e(e.reason),
            ]
        )  # fmt: skip
        classes.append("this" if e.version == version else "")
    problems = ledger.verify()
    check = "sequence complete and hash chain intact" if not problems else "; ".join(problems)
    return _table(header, rows, classes) + f"<p>Ledger check: {_e(check)}.</p>"


def _comparison(mv: Any) -> str:
    meta = mv.run_metadata or {}
    rec, comparison = meta.get("recommendation"), meta.get("champion_challenger")
    if not isinstance(rec, Mapping):
        return "<p>This version has not been compared with a champion.</p>"
    text = ""
    if isinstance(comparison, Mapping):
        text = (
            f"<p>Against champion v{_e(comparison.get('champion_version'))}: agreement "
            f"{_fmt(comparison.get('agreement'))}, McNemar p "
            f"{_fmt(comparison.get('mcnemar', {}).get('p_value'))}.</p>"
        )
    reasons = "".join(f"<li>{_e(r)}</li>" for r in rec.get("reasons", []))
    return f"{text}<p>Recommendation: <b>{_e(rec.get('decision'))}</b></p><ul>{reasons}</ul>"


def _provenance(mv: Any) -> str:
    meta = mv.run_metadata or {}
    commit, data_hash = _e(meta.get("git_commit", "?")), _e(meta.get("data_sha256", "?"))
    rows = [
        ["git commit", f"<code data-field='git_commit'>{commit}</code>"],
        ["data SHA-256", f"<code data-field='data_sha256'>{data_hash}</code>"],
        ["classifier", _e(meta.get("classifier", "?"))],
        ["SMOTE applied", _e(meta.get("smote_applied", "?"))],
        ["PCA applied", _e(meta.get("pca_applied", "?"))],
        ["model version id", f"<code>{_e(mv.id)}</code>"],
        ["created", _e(mv.created)],
    ]  # fmt: skip
    return _table(["field", "value"], rows)


def build_audit_html(
    model: str, version: str, lineage_svg: str | None = None, policy: Policy | None = None
) -> str:
    """Return the audit pack of ``model`` version ``version`` as one HTML document."""
    from zenml.client import Client

    policy = policy or load_policy()
    mv = Client().get_model_version(model, str(version))
    ledger = read_ledger(model)
    stage = mv.stage or "none"
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    lineage = lineage_svg or "<p>No lineage drawing was supplied.</p>"
    own_entries = ledger.for_version(mv.name)
    bodies = {
        "model-card": ("Model card", _model_card(mv)),
        "metrics": ("Metrics against the policy", _metrics(mv, policy)),
        "gates": ("Gate results", _gate_reports(mv) + _promotion_gates(own_entries)),
        "ledger": ("Promotion ledger", _ledger(ledger, mv.name)),
        "comparison": ("Champion vs challenger", _comparison(mv)),
        "lineage": ("Lineage", f"<figure>{lineage}</figure>"),
        "provenance": ("Provenance", _provenance(mv)),
    }  # fmt: skip
    sections = "".join(
        f'<section id="{key}"><h2>{title}</h2>{body}</section>'
        for key, (title, body) in bodies.items()
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Audit pack: {_e(model)} v{_e(mv.name)}</title><style>{_CSS}</style></head><body>"
        f"<h1>Audit pack: {_e(model)} v{_e(mv.name)}</h1>"
        f"<p>Stage <b data-field='stage'>{_e(stage)}</b> · written {now} · policy "
        f"<code>{_e(policy.source)}</code></p>{sections}</body></html>"
    )


def write_audit_pack(
    model: str, version: str, path: str | Path, lineage_svg: str | None = None
) -> Path:
    """Write the audit pack HTML to ``path`` (folders are created) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(build_audit_html(model, version, lineage_svg), encoding="utf-8")
    return path

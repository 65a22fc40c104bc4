"""Feature drift of a scoring batch against the training reference (pure: no ZenML, no I/O).

The reference is a small *profile* of the training features, not the data: for each feature the
interior quantile edges of ``bins`` buckets and the share of training rows in each bucket. It
travels in the production bundle, so production can check drift without reaching back into
dev-staging's artifact store.

Drift per feature is the population stability index (PSI) of the batch's bucket shares against
the reference shares: ``sum((batch - ref) * ln(batch / ref))``. The policy's ``drift`` section
gives the thresholds (``warn_psi``, ``alert_psi``) and the share of alerting features that marks
a whole batch as drifted.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from governance.policy import DriftRules

EPSILON = 1e-4
"""Floor of a bucket share, so an empty bucket gives a large but finite PSI."""


def reference_profile(features: pd.DataFrame, bins: int = 10) -> dict[str, Any]:
    """Return the drift reference of numeric training features: bucket edges and shares."""
    profile: dict[str, Any] = {"bins": int(bins), "rows": int(len(features)), "features": {}}
    quantiles = np.linspace(0, 1, bins + 1)[1:-1]
    for column in features.columns:
        values = features[column].dropna().to_numpy(dtype=float)
        if values.size == 0:
            continue
        edges = np.unique(np.quantile(values, quantiles))
        shares = _shares(values, edges)
        profile["features"][str(column)] = {
            "edges": [float(e) for e in edges],
            "shares": [float(s) for s in shares],
            "mean": float(values.mean()),
        }
    return profile


def _shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    buckets = np.searchsorted(edges, values, side="right")
    counts = np.bincount(buckets, minlength=len(edges) + 1).astype(float)
    return counts / max(values.size, 1)


def _shares_by_counting(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """The same shares as :func:`_shares`, from one count per edge instead of a bucket per row.

    Bucket ``k`` holds the values with exactly ``k`` edges at or below them, so its count is
    ``#(values >= edges[k-1]) - #(values >= edges[k])``. With the profile's nine or so edges
    this is several times faster than ``searchsorted`` on a million rows.
    """
    at_or_above = [np.count_nonzero(values >= edge) for edge in edges]
    counts = -np.diff(np.array([values.size, *at_or_above, 0], dtype=float))
    return counts / max(values.size, 1)


def psi(reference: np.ndarray, current: np.ndarray) -> float:
    """Population stability index of two bucket-share vectors of the same length."""
    ref = np.clip(np.asarray(reference, dtype=float), EPSILON, None)
    cur = np.clip(np.asarray(current, dtype=float), EPSILON, None)
    return float(np.sum((cur - ref) * np.log(cur / ref)))


def drift_report(batch: pd.DataFrame, profile: dict[str, Any], rules: DriftRules) -> dict[str, Any]:
    """Compare a batch with the reference profile, feature by feature.

    Returns:
        ``{"drifted": bool, "n_features": .., "n_warn": .., "n_alert": .., "max_psi": ..,
        "alert_share": .., "features": {name: {"psi": .., "status": ok|warn|alert,
        "mean_shift": ..}}, "missing_features": [...]}``, JSON-friendly.
    """
    present = [(name, ref) for name, ref in profile["features"].items() if name in batch.columns]
    missing = [name for name in profile["features"] if name not in batch.columns]

    def feature_drift(item: tuple[str, dict[str, Any]]) -> dict[str, Any]:
        name, ref = item
        values = batch[name].to_numpy(dtype=float)
        if np.isnan(values).any():
            values = values[~np.isnan(values)]
        current = _shares_by_counting(values, np.asarray(ref["edges"], dtype=float))
        value = psi(ref["shares"], current)
        status = (
            "alert" if value >= rules.alert_psi else "warn" if value >= rules.warn_psi else "ok"
        )
        mean = float(values.mean()) if values.size else float("nan")
        shift = (mean - ref["mean"]) / abs(ref["mean"]) if ref["mean"] else 0.0
        return {"psi": round(value, 6), "status": status, "mean_shift": round(shift, 6)}

    # numpy releases the GIL in the comparisons: features are counted side by side.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        results = list(pool.map(feature_drift, present))
    features = {name: result for (name, _), result in zip(present, results, strict=True)}
    n_alert = sum(f["status"] == "alert" for f in features.values())
    n_warn = sum(f["status"] == "warn" for f in features.values())
    share = n_alert / len(features) if features else 0.0
    return {
        "method": "psi",
        "rows": int(len(batch)),
        "n_features": len(features),
        "n_warn": n_warn,
        "n_alert": n_alert,
        "alert_share": round(share, 6),
        "max_psi": max((f["psi"] for f in features.values()), default=0.0),
        "drifted": bool(share > rules.max_alert_share or missing),
        "thresholds": {
            "warn_psi": rules.warn_psi,
            "alert_psi": rules.alert_psi,
            "max_alert_share": rules.max_alert_share,
        },
        "missing_features": missing,
        "features": features,
    }


def drift_table(report: dict[str, Any]) -> pd.DataFrame:
    """Return a report's per-feature results as a table, most drifted first."""
    table = pd.DataFrame.from_dict(report["features"], orient="index")
    table.index.name = "feature"
    return table.sort_values("psi", ascending=False)


def push_drift_metrics(
    report: dict[str, Any], model: str, version: str, gateway: str | None
) -> dict[str, str]:
    """Push the drift summary to a Prometheus Pushgateway (or log it); never raise.

    Gauges ``kit_drift_max_psi``, ``kit_drift_alert_share``, ``kit_drift_features_alerting``,
    ``kit_drift_detected`` and ``kit_batch_rows``, grouped by model and version; job, timeout
    and delivery follow the policy's ``notifications`` like the run metrics.
    """
    from prometheus_client import CollectorRegistry, Gauge, push_to_gateway

    from governance.policy import load_policy

    values = {
        "kit_drift_max_psi": float(report["max_psi"]),
        "kit_drift_alert_share": float(report["alert_share"]),
        "kit_drift_features_alerting": float(report["n_alert"]),
        "kit_drift_detected": 1.0 if report["drifted"] else 0.0,
        "kit_batch_rows": float(report["rows"]),
    }
    if not gateway:
        return {"delivery": "logged", "detail": "no Pushgateway configured"}
    registry = CollectorRegistry()
    for name, value in values.items():
        Gauge(name, name.replace("_", " "), registry=registry).set(value)
    notifications = load_policy().notifications
    try:
        push_to_gateway(
            gateway,
            job=notifications.pushgateway_job,
            registry=registry,
            grouping_key={"pipeline": "batch_inference", "model": model, "version": version},
            timeout=notifications.pushgateway_timeout_seconds,
        )
    except Exception as error:  # noqa: BLE001 - monitoring never fails the run
        return {"delivery": "failed", "detail": f"{type(error).__name__}: {error}"[:300]}
    return {"delivery": "sent", "detail": gateway}

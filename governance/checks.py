"""Pure policy checks: no ZenML, no I/O, so every rule is unit-testable.

Each check function returns one :class:`CheckResult` per rule it applied, passed or not, so a
gate can report everything it looked at and a refusal can list every breach at once.
Comparisons are inclusive: a value exactly at its threshold passes.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from governance.policy import DataQualityRules, ModelRules


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one rule."""

    name: str
    passed: bool
    observed: Any
    expected: str

    def describe(self) -> str:
        """Return a one-line, human-readable description."""
        verdict = "ok" if self.passed else "FAILED"
        return f"[{verdict}] {self.name}: observed {self.observed!r}, expected {self.expected}"


class GateError(RuntimeError):
    """Raised by a gate that refuses; its message lists every failed check."""

    def __init__(self, gate: str, failures: Sequence[CheckResult]) -> None:
        self.gate = gate
        self.failures = list(failures)
        lines = "\n".join(f"  - {f.describe()}" for f in self.failures)
        super().__init__(f"{gate} refused: {len(self.failures)} check(s) failed\n{lines}")


def failed(results: Iterable[CheckResult]) -> list[CheckResult]:
    """Return the failed results."""
    return [r for r in results if not r.passed]


def report(results: Sequence[CheckResult], **context: Any) -> dict[str, Any]:
    """Return a JSON-friendly report of ``results`` (for metadata), plus ``context`` keys."""
    failures = failed(results)
    return {
        **context,
        "passed": not failures,
        "n_checks": len(results),
        "n_failed": len(failures),
        "failed_checks": [f.name for f in failures],
        "checks": {
            r.name: {k: _plain(v) for k, v in asdict(r).items() if k != "name"} for r in results
        },
    }


def _plain(value: Any) -> Any:
    """Cast numpy scalars and other objects to JSON-friendly Python values."""
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)


def _at_least(name: str, observed: float, minimum: float) -> CheckResult:
    ok = observed is not None and not math.isnan(observed) and observed >= minimum
    return CheckResult(name, bool(ok), observed, f">= {minimum}")


def _at_most(name: str, observed: float, maximum: float) -> CheckResult:
    ok = observed is not None and not math.isnan(observed) and observed <= maximum
    return CheckResult(name, bool(ok), observed, f"<= {maximum}")


def check_performance(
    metrics: Mapping[str, Any], thresholds: Mapping[str, float]
) -> list[CheckResult]:
    """Check each thresholded metric is present, numeric and at least its minimum.

    Args:
        metrics: Held-out metrics, e.g. ``{"accuracy": 0.97, "f1": 0.96, ...}``.
        thresholds: ``{metric: minimum}``, e.g. ``policy.thresholds_for("staging")``.
    """
    results = []
    for metric, minimum in thresholds.items():
        value = metrics.get(metric)
        try:
            observed = float(value) if value is not None else None
        except (TypeError, ValueError):
            observed = None
        if observed is None:
            results.append(CheckResult(f"{metric} present", False, value, f"a number >= {minimum}"))
        else:
            results.append(_at_least(f"{metric} minimum", observed, minimum))
    return results


def check_model_governance(name: str, tags: Iterable[str], rules: ModelRules) -> list[CheckResult]:
    """Check a model's name against the naming rule and its tags against the required prefixes."""
    tags = [str(t) for t in tags or ()]
    results = [
        CheckResult(
            "model name",
            re.fullmatch(rules.name_pattern, name or "") is not None,
            name,
            f"matches {rules.name_pattern}",
        )
    ]
    for prefix in rules.required_tag_prefixes:
        matching = [t for t in tags if t.startswith(prefix) and t[len(prefix) :].strip()]
        results.append(
            CheckResult(
                f"tag {prefix}<value>",
                bool(matching),
                matching[0] if matching else sorted(tags),
                f"a tag starting with {prefix!r} and a non-empty value",
            )
        )
    return results


def _dtype_kind(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "bool"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return "float"
    return str(series.dtype)


def duplicate_share(df: pd.DataFrame) -> float:
    """Share of rows that repeat an earlier row exactly (as ``df.duplicated().mean()``).

    A repeated row repeats each of its values, so a row whose value in some column is unique
    cannot be a duplicate: columns narrow the candidates first (one pass over a float column of
    measurements usually leaves almost none), then the remaining rows are compared by row
    hashes. Same answer as hashing every row (up to 64-bit hash collisions). Narrowing stops
    after two passes that do not halve the candidates, so the worst case costs two column
    passes more than hashing every row.
    """
    n_rows = len(df)
    if n_rows == 0:
        return 0.0
    candidates = df
    useless_passes = 0
    for column in df.columns:
        keep = candidates[column].duplicated(keep=False).to_numpy()
        kept = int(keep.sum())
        if kept == 0:
            return 0.0
        if kept * 2 > len(candidates):
            useless_passes += 1
        if kept < len(candidates):
            candidates = candidates[keep]
        if useless_passes == 2:
            break
    repeated = pd.util.hash_pandas_object(candidates, index=False).duplicated().sum()
    return float(repeated / n_rows)


def check_data_quality(df: pd.DataFrame, rules: DataQualityRules) -> list[CheckResult]:
    """Apply every data-quality rule to ``df``.

    Checks the row count, the missing and duplicate shares, and for each expected column its
    presence, dtype kind and value range; extra columns are allowed when the policy says so.
    An integer column satisfies a ``float`` rule (ints are valid real numbers); not vice versa.
    """
    expected = list(rules.columns)
    n_rows = len(df)
    results = [_at_least("row count", n_rows, rules.min_rows)]

    present = [c for c in expected if c in df.columns]
    cells = n_rows * len(present)
    missing_in = {c: int(df[c].isna().sum()) for c in present}
    missing = float(sum(missing_in.values()) / cells) if cells else 0.0
    results.append(_at_most("missing share", round(missing, 6), rules.max_missing_share))

    duplicates = duplicate_share(df)
    results.append(_at_most("duplicate share", round(duplicates, 6), rules.max_duplicate_share))

    if not rules.allow_extra_columns:
        extra = [c for c in df.columns if c not in rules.columns]
        results.append(
            CheckResult("no extra columns", not extra, extra, "no columns beyond policy")
        )

    for column, rule in rules.columns.items():
        if column not in df.columns:
            results.append(CheckResult(f"column {column} present", False, None, "present"))
            continue
        series = df[column]
        kind = _dtype_kind(series)
        dtype_ok = kind == rule.dtype or (rule.dtype == "float" and kind == "int")
        results.append(CheckResult(f"column {column} dtype", dtype_ok, kind, rule.dtype))
        if not dtype_ok:
            continue
        if missing_in[column] == n_rows:
            continue
        if missing_in[column]:
            low, high = float(series.min()), float(series.max())  # missing values skipped
        else:
            values = series.to_numpy()
            low, high = float(values.min()), float(values.max())
        if rule.min is not None:
            results.append(_at_least(f"column {column} min", low, rule.min))
        if rule.max is not None:
            results.append(_at_most(f"column {column} max", high, rule.max))

    target = rules.target_column
    if target in df.columns:
        seen = sorted({_plain(v) for v in df[target].dropna().unique()})
        unexpected = [v for v in seen if v not in rules.target_values]
        results.append(
            CheckResult(
                f"column {target} values",
                not unexpected,
                seen,
                f"only {list(rules.target_values)}",
            )
        )
        results.append(
            CheckResult(
                f"column {target} classes",
                len(seen) >= 2,
                len(seen),
                "at least 2 classes",
            )
        )
    elif target not in rules.columns:
        results.append(CheckResult(f"column {target} present", False, None, "present"))
    return results

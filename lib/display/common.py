"""What several chapters show: a step's output artifact, and one table for gate results."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd


def step_output(run: Any, step: str, name: str) -> Any:
    """Return the artifact version ``step`` of ``run`` stored as output ``name`` (not loaded)."""
    return run.steps[step].outputs[name][0]


def gates_table(results: Iterable[Any]) -> pd.DataFrame:
    """One row per gate: ``CheckResult`` objects or the ledger's gate dicts alike."""
    rows = []
    for result in results:
        get = result.get if isinstance(result, Mapping) else lambda k, r=result: getattr(r, k)
        observed = get("observed")
        rows.append(
            {
                "gate": get("name"),
                "observed": round(observed, 4) if isinstance(observed, float) else observed,
                "expected": get("expected"),
                "passed": bool(get("passed")),
            }
        )
    return pd.DataFrame(rows, columns=["gate", "observed", "expected", "passed"]).set_index("gate")

"""Scoring batches for batch inference (plain functions, no ZenML).

The kit has no stream of new biopsies, so :func:`make_batch` draws one: rows resampled from the
breast-cancer data with a small multiplicative jitter (so no two rows are identical, as the
data-quality gate's duplicate rule expects), optionally with some features shifted to show
drift. The batch keeps ``target``: the policy's data-quality rules expect it, and labels that
arrive later are what production monitoring compares predictions with. A real batch comes from
a parquet file (:func:`read_batch`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lib.data import TARGET, load_frame
from lib.modeling import POSITIVE_LABEL

JITTER = 0.02
"""Relative standard deviation of the noise applied to every resampled value."""

SHIFTED_FEATURES: tuple[str, ...] = ("mean radius", "mean perimeter", "mean area", "worst area")
"""Features :func:`make_batch` moves when asked for drift (tumour size, the usual suspect)."""


def make_batch(n_rows: int = 1000, drift_shift: float = 0.0, random_state: int = 7) -> pd.DataFrame:
    """Return ``n_rows`` jittered rows of the original data, features + ``target``.

    Args:
        n_rows: batch size.
        drift_shift: relative shift applied to :data:`SHIFTED_FEATURES` (0.3 = 30 % larger).
        random_state: seed of the resampling and the jitter.
    """
    rng = np.random.default_rng(random_state)
    frame = load_frame("original")
    rows = rng.integers(0, len(frame), size=n_rows)
    features = frame.drop(columns=[TARGET]).to_numpy(dtype=np.float64)[rows]
    features *= rng.normal(1.0, JITTER, size=features.shape).clip(0.9, 1.1)
    batch = pd.DataFrame(features, columns=frame.columns.drop(TARGET))
    if drift_shift:
        for column in SHIFTED_FEATURES:
            batch[column] *= 1.0 + drift_shift
    batch[TARGET] = frame[TARGET].to_numpy()[rows]
    return batch


def read_batch(path: str | Path) -> pd.DataFrame:
    """Read a batch from a parquet file."""
    return pd.read_parquet(path)


def score(model, batch: pd.DataFrame) -> pd.DataFrame:
    """Return one prediction per row: row id, P(malignant) and the predicted label."""
    features = batch.drop(columns=[TARGET], errors="ignore")
    column = list(model.classes_).index(POSITIVE_LABEL)
    proba = model.predict_proba(features)[:, column]
    return pd.DataFrame(
        {
            "row_id": np.arange(len(batch), dtype=np.int64),
            "p_malignant": proba.astype(np.float32),
            "predicted": np.where(proba >= 0.5, "malignant", "benign"),
        }
    )

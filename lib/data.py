"""The breast-cancer data and its teaching variants (plain functions, no ZenML).

scikit-learn ships the data, so nothing is downloaded. In scikit-learn's encoding ``target == 0``
is *malignant* (212 rows, 37 %) and ``target == 1`` is *benign* (357 rows).
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer

TARGET = "target"
VARIANTS: tuple[str, ...] = ("original", "imbalanced", "wide")
"""``original`` triggers no preprocessing branch; ``imbalanced`` triggers SMOTE; ``wide`` PCA."""

IMBALANCED_MINORITY_SHARE = 0.15
"""Share of malignant rows kept in the ``imbalanced`` variant (well under SMOTE's 30 %)."""


def load_frame(variant: str = "original", random_state: int = 42) -> pd.DataFrame:
    """Return the data as one DataFrame: 30 float features plus an int ``target`` column.

    Args:
        variant: ``original``; ``imbalanced`` (malignant rows subsampled to 15 %);
            ``wide`` (30 extra log-scaled features, 60 in all).
        random_state: seed for the subsampling in ``imbalanced``.
    """
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(VARIANTS)}; got {variant!r}")
    frame = load_breast_cancer(as_frame=True).frame
    frame[TARGET] = frame[TARGET].astype("int64")
    if variant == "imbalanced":
        frame = _subsample_minority(frame, IMBALANCED_MINORITY_SHARE, random_state)
    elif variant == "wide":
        frame = _add_log_features(frame)
    return frame.reset_index(drop=True)


def minority_share(target: pd.Series) -> float:
    """Return the share of the rarest class in ``target`` (0.0 for an empty series)."""
    counts = target.value_counts()
    return float(counts.min() / counts.sum()) if len(counts) else 0.0


def frame_sha256(frame: pd.DataFrame) -> str:
    """Return a SHA-256 of a DataFrame's values, index and column names (order-sensitive)."""
    digest = hashlib.sha256()
    digest.update("\x1f".join(map(str, frame.columns)).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return digest.hexdigest()


def _subsample_minority(frame: pd.DataFrame, share: float, random_state: int) -> pd.DataFrame:
    minority = frame[frame[TARGET] == 0]
    majority = frame[frame[TARGET] == 1]
    keep = int(round(share * len(majority) / (1.0 - share)))
    sampled = minority.sample(n=keep, random_state=random_state)
    return pd.concat([majority, sampled]).sort_index()


def _add_log_features(frame: pd.DataFrame) -> pd.DataFrame:
    features = frame.drop(columns=[TARGET])
    logged = np.log1p(features.clip(lower=0)).add_prefix("log ")
    return pd.concat([features, logged, frame[[TARGET]]], axis=1)

"""The stored DataFrame's profile: a content hash that sees every change, and missing cells."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from governance.materializers.dataframe import content_sha256, dataframe_profile

pytestmark = pytest.mark.unit


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "radius": [1.5, 2.5, np.nan, 4.0],
            "count": [1, 2, 3, 4],
            "label": ["benign", None, "malignant", "benign"],
            "seen": pd.to_datetime(["2026-01-01", None, "2026-01-03", "2026-01-04"]),
        }
    )


def test_the_same_content_gives_the_same_hash(frame):
    assert content_sha256(frame) == content_sha256(frame.copy(deep=True))
    assert len(content_sha256(frame)) == 64


@pytest.mark.parametrize(
    "change",
    [
        lambda f: f.assign(radius=f["radius"].replace(4.0, 4.000001)),
        lambda f: f.assign(count=f["count"].astype("float64")),
        lambda f: f.assign(label=f["label"].replace("benign", "Benign")),
        lambda f: f.assign(seen=f["seen"] + pd.Timedelta(seconds=1)),
        lambda f: f.rename(columns={"count": "n"}),
        lambda f: f[["count", "radius", "label", "seen"]],
        lambda f: f.set_axis([10, 11, 12, 13]),
        lambda f: f.iloc[:3],
    ],
    ids=["value", "dtype", "text", "timestamp", "column name", "column order", "index", "rows"],
)
def test_any_change_gives_another_hash(frame, change):
    assert content_sha256(change(frame)) != content_sha256(frame)


def test_the_profile_counts_missing_cells_of_every_kind(frame):
    profile = dataframe_profile(frame)
    assert profile["rows"] == 4 and profile["columns"] == 4
    assert profile["missing_share"] == round(3 / 16, 6)  # one NaN, one None, one NaT
    assert profile["content_sha256"] == content_sha256(frame)


def test_an_empty_frame_has_a_profile():
    profile = dataframe_profile(pd.DataFrame({"a": pd.Series([], dtype=float)}))
    assert profile["rows"] == 0 and profile["missing_share"] == 0.0


def test_frames_with_a_multi_index_and_extension_dtypes_are_profiled():
    frame = pd.DataFrame(
        {
            "stage": pd.Categorical(["a", None, "b"]),
            "count": pd.array([1, None, 3], dtype="Int64"),
            "note": pd.array(["p", None, "q"], dtype="string"),
            "flag": [True, False, True],
            "at": pd.to_datetime(["2026-01-01", None, "2026-01-02"]).tz_localize("UTC"),
        },
        index=pd.MultiIndex.from_tuples([("x", 1), ("y", 2), ("z", 3)]),
    )
    profile = dataframe_profile(frame)
    assert profile["missing_share"] == round(4 / 15, 6)
    moved = frame.set_axis(pd.MultiIndex.from_tuples([("x", 1), ("y", 2), ("z", 4)]))
    assert content_sha256(moved) != profile["content_sha256"]

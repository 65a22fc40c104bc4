"""The pure checks: every rule reports, thresholds are inclusive, every breach is listed."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_breast_cancer

from governance.checks import (
    GateError,
    check_data_quality,
    check_model_governance,
    check_performance,
    duplicate_share,
    failed,
    report,
)
from governance.policy import load_policy

pytestmark = pytest.mark.unit

POLICY = load_policy()
FRAME = load_breast_cancer(as_frame=True).frame


def names(results):
    return sorted(r.name for r in failed(results))


def test_the_raw_data_passes_every_data_rule():
    results = check_data_quality(FRAME, POLICY.data_quality)
    assert failed(results) == []
    # rows, missing, duplicates, 31 columns x (dtype, min, max), target values and classes
    assert len(results) == 3 + 31 * 3 + 2


def test_imbalanced_and_wide_variants_pass():
    minority = FRAME[FRAME.target == 0].head(30)
    imbalanced = pd.concat([minority, FRAME[FRAME.target == 1].head(160)])
    wide = FRAME.assign(**{f"engineered_{i}": FRAME["mean radius"] * i for i in range(25)})
    assert failed(check_data_quality(imbalanced, POLICY.data_quality)) == []
    assert failed(check_data_quality(wide, POLICY.data_quality)) == []


def test_bad_data_lists_every_failed_check():
    bad = FRAME.head(120).copy()  # under min_rows
    bad = pd.concat([bad, bad.head(10)])  # duplicates
    bad.loc[bad.index[:40], "mean texture"] = np.nan  # missing cells
    bad["mean area"] = -1.0  # below range
    bad = bad.drop(columns=["worst symmetry"])  # missing column
    bad["target"] = bad["target"].replace(1, 2)  # unexpected label
    results = check_data_quality(bad, POLICY.data_quality)
    assert names(results) == sorted(
        [
            "row count",
            "missing share",
            "duplicate share",
            "column mean area min",
            "column worst symmetry present",
            "column target max",
            "column target values",
        ]
    )
    message = str(GateError("data-quality gate", failed(results)))
    assert "7 check(s) failed" in message
    for result in failed(results):
        assert result.name in message


def test_wrong_dtype_is_reported_and_ints_satisfy_float_rules():
    frame = FRAME.copy()
    frame["mean radius"] = frame["mean radius"].round().astype(int)  # still valid numbers
    frame["target"] = frame["target"].astype(float)  # labels must be ints
    frame["worst area"] = frame["worst area"].astype(str)
    assert names(check_data_quality(frame, POLICY.data_quality)) == [
        "column target dtype",
        "column worst area dtype",
    ]


def test_extra_columns_fail_only_when_the_policy_forbids_them():
    wide = FRAME.assign(extra=1.0)
    strict = POLICY.data_quality.model_copy(update={"allow_extra_columns": False})
    assert names(check_data_quality(wide, strict)) == ["no extra columns"]


def test_report_is_plain_data_with_failed_names():
    frame = FRAME.groupby("target").head(5)  # 10 rows, both classes
    result = report(check_data_quality(frame, POLICY.data_quality), environment="dev")
    assert result["passed"] is False
    assert result["failed_checks"] == ["row count"]
    assert result["checks"]["row count"] == {"passed": False, "observed": 10, "expected": ">= 150"}
    assert all(":" not in key for key in result["checks"])  # metadata keys cannot hold ':'


@given(
    threshold=st.floats(min_value=0.0, max_value=1.0, allow_nan=False),
    metric=st.sampled_from(["accuracy", "recall", "f1", "roc_auc"]),
)
@settings(max_examples=200, deadline=None)
def test_a_metric_at_its_threshold_passes_and_just_under_fails(threshold, metric):
    thresholds = {metric: threshold}
    assert failed(check_performance({metric: threshold}, thresholds)) == []
    just_under = math.nextafter(threshold, -math.inf)
    if just_under >= 0:
        assert names(check_performance({metric: just_under}, thresholds)) == [f"{metric} minimum"]


@given(rows=st.integers(min_value=0, max_value=400), minimum=st.integers(0, 400))
@settings(max_examples=50, deadline=None)
def test_row_count_gate_is_inclusive(rows, minimum):
    rules = POLICY.data_quality.model_copy(update={"min_rows": minimum})
    frame = FRAME.sample(n=rows, replace=rows > len(FRAME), random_state=0)
    row_check = next(r for r in check_data_quality(frame, rules) if r.name == "row count")
    assert row_check.passed is (rows >= minimum)


def test_performance_lists_every_metric_under_its_minimum_and_missing_ones():
    thresholds = POLICY.thresholds_for("production")
    metrics = {"accuracy": 0.99, "recall": 0.80, "f1": float("nan"), "precision": 0.2}
    assert names(check_performance(metrics, thresholds)) == [
        "f1 minimum",
        "recall minimum",
        "roc_auc present",
    ]


def test_numpy_metric_values_are_accepted():
    thresholds = POLICY.thresholds_for("staging")
    metrics = {k: np.float32(0.95) for k in thresholds}
    assert failed(check_performance(metrics, thresholds)) == []


@pytest.mark.parametrize(
    "name, tags, failures",
    [
        ("breast_cancer_classifier", ["use_case:breast_cancer", "owner_team:ml-platform"], []),
        ("breast_cancer_classifier_ada", ["owner_team:x", "use_case:y", "extra"], []),
        ("breast_cancer_classifier", ["use_case:breast_cancer"], ["tag owner_team:<value>"]),
        (
            "breast_cancer_classifier",
            ["use_case:", "owner_team:"],
            ["tag owner_team:<value>", "tag use_case:<value>"],
        ),
        ("cancer_model", [], ["model name", "tag owner_team:<value>", "tag use_case:<value>"]),
    ],
)
def test_model_governance_names_what_is_missing(name, tags, failures):
    assert names(check_model_governance(name, tags, POLICY.model)) == failures


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(0, 3),
            st.sampled_from([0.0, 1.5, float("nan")]),
            st.integers(0, 2),
        ),
        max_size=40,
    )
)
def test_duplicate_share_is_pandas_duplicated(rows):
    frame = pd.DataFrame(rows, columns=["a", "b", "c"])
    expected = float(frame.duplicated().mean()) if len(frame) else 0.0
    assert duplicate_share(frame) == pytest.approx(expected)


def test_duplicate_share_on_measurements_repeated_rows_and_constant_columns():
    rng = np.random.default_rng(4)
    measured = pd.DataFrame(rng.normal(size=(5000, 4)), columns=list("abcd"))
    assert duplicate_share(measured) == 0.0
    repeated = pd.concat([measured, measured.head(50)], ignore_index=True)
    assert duplicate_share(repeated) == pytest.approx(50 / 5050)
    constant_first = repeated.assign(a=1.0, b=2.0, c=3.0)  # only column d tells rows apart
    assert duplicate_share(constant_first) == pytest.approx(constant_first.duplicated().mean())

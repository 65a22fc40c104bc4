"""Run metrics pushed to a real Prometheus Pushgateway and read back from /metrics."""

import logging

import pytest

from governance.hooks.monitoring import build_registry, push
from governance.hooks.run_summary import RunSummary

pytestmark = pytest.mark.unit


def summary(**changes) -> RunSummary:
    base = dict(
        pipeline="training_pipeline",
        run_name="r1",
        run_id="id-1",
        environment="staging",
        status="completed",
        model_name="breast_cancer_classifier_monitoring_unit",
        model_version="3",
        metrics={"accuracy": 0.97, "f1": 0.96},
        rows=569,
        duration_seconds=12.5,
    )
    return RunSummary(**{**base, **changes})


def test_registry_holds_duration_status_metrics_and_rows():
    _, values = build_registry(summary())
    assert values["kit_pipeline_run_success"] == 1.0
    assert values["kit_pipeline_run_duration_seconds"] == 12.5
    assert values["kit_model_accuracy"] == 0.97
    assert values["kit_model_f1"] == 0.96
    assert values["kit_dataset_rows"] == 569.0


def test_a_failed_run_without_metrics_pushes_status_only():
    _, values = build_registry(summary(status="failed", metrics={}, rows=None))
    assert values["kit_pipeline_run_success"] == 0.0
    assert "kit_model_accuracy" not in values and "kit_dataset_rows" not in values


def test_push_reaches_the_gateway_and_reads_back(pushgateway, gateway_values):
    outcome = push(summary(), pushgateway, job="kit_test", timeout=3)
    assert outcome["delivery"] == "sent"
    values = gateway_values(
        pushgateway, job="kit_test", model="breast_cancer_classifier_monitoring_unit"
    )
    assert values["kit_model_accuracy"] == pytest.approx(0.97)
    assert values["kit_model_f1"] == pytest.approx(0.96)
    assert values["kit_dataset_rows"] == 569
    assert values["kit_pipeline_run_success"] == 1
    assert values["kit_pipeline_run_duration_seconds"] == pytest.approx(12.5)


def test_an_unreachable_gateway_is_logged_not_raised(closed_url, caplog):
    with caplog.at_level(logging.INFO):
        outcome = push(summary(), closed_url.rsplit("/", 2)[0], job="kit_test", timeout=1)
    assert outcome["delivery"] == "failed"
    assert "metrics push to" in caplog.text and "FAILED" in caplog.text

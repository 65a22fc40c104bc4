"""Alert payloads and delivery against a real HTTP receiver on 127.0.0.1 (no pipeline run)."""

import logging
import time

import pytest

from governance.hooks.alerts import build_alert, deliver
from governance.hooks.run_summary import RunSummary, describe_exception


def summary(**changes) -> RunSummary:
    base = dict(
        pipeline="training_pipeline",
        run_name="training_pipeline-2026_01_01",
        run_id="0000-1111",
        environment="staging",
        status="completed",
        model_name="breast_cancer_classifier",
        model_version="7",
        metrics={"accuracy": 0.97, "f1": 0.96, "recall": 0.95, "roc_auc": 0.99, "precision": 0.9},
        rows=569,
        duration_seconds=12.5,
    )
    return RunSummary(**{**base, **changes})


def block_texts(payload) -> str:
    parts = []
    for block in payload["blocks"]:
        if "text" in block:
            parts.append(block["text"]["text"])
        parts += [f["text"] for f in block.get("fields", [])]
        parts += [e["text"] for e in block.get("elements", [])]
    return "\n".join(parts)


@pytest.mark.unit
def test_success_payload_names_pipeline_run_model_metrics_and_status():
    payload = build_alert(summary())
    assert set(payload) == {"text", "blocks"}
    assert "training_pipeline succeeded in staging" in payload["text"]
    body = block_texts(payload)
    for expected in (
        "*Pipeline*\ntraining_pipeline",
        "*Run*\ntraining_pipeline-2026_01_01",
        "*Model version*\nbreast_cancer_classifier v7",
        "*Status*\ncompleted",
        "accuracy 0.970, f1 0.960, recall 0.950, roc_auc 0.990",
        "*Rows*\n569",
    ):
        assert expected in body
    assert "Error" not in body


@pytest.mark.unit
def test_failure_payload_carries_the_error_and_its_cause():
    try:
        try:
            raise ValueError("model governance refused: tag owner_team:<value> missing")
        except ValueError as cause:
            raise RuntimeError("Failed to execute init hook") from cause
    except RuntimeError as error:
        failure = summary(status="failed", metrics={}, error=describe_exception(error))
    payload = build_alert(failure)
    assert "FAILED" in payload["text"]
    body = block_texts(payload)
    assert "RuntimeError: Failed to execute init hook" in body
    assert "caused by ValueError: model governance refused: tag owner_team:<value>" in body
    assert "*Key metrics*\nnone recorded" in body


@pytest.mark.unit
def test_a_long_error_is_cut_to_fit_slack_limits():
    payload = build_alert(summary(status="failed", error="x" * 10_000))
    assert all(len(b["text"]["text"]) < 3000 for b in payload["blocks"] if "text" in b)


@pytest.mark.unit
def test_delivery_posts_json_to_the_receiver(webhook_receiver):
    payload = build_alert(summary())
    outcome = deliver(payload, webhook_receiver.url, timeout=2)
    assert outcome == {"delivery": "sent", "detail": "HTTP 200"}
    assert webhook_receiver.payloads() == [payload]
    assert webhook_receiver.requests[0]["path"] == "/services/T000/B000/secret-token"


@pytest.mark.unit
def test_a_receiver_that_is_down_is_logged_without_the_url(closed_url, caplog):
    with caplog.at_level(logging.INFO):
        outcome = deliver(build_alert(summary()), closed_url, timeout=2)
    assert outcome["delivery"] == "failed"
    assert outcome["detail"] == "receiver unreachable (ConnectionRefusedError)"
    assert "alert delivery FAILED" in caplog.text
    assert closed_url not in caplog.text and "/hooks/down" not in caplog.text
    assert "/hooks/down" not in str(outcome)


@pytest.mark.unit
def test_a_slow_receiver_times_out_quickly(webhook_receiver, caplog):
    webhook_receiver.delay = 3
    started = time.monotonic()
    with caplog.at_level(logging.INFO):
        outcome = deliver(build_alert(summary()), webhook_receiver.url, timeout=0.5)
    assert time.monotonic() - started < 2
    assert outcome == {"delivery": "failed", "detail": "no answer within 0.5 s"}
    assert "secret-token" not in caplog.text


@pytest.mark.unit
def test_an_error_status_is_a_failed_delivery(webhook_receiver):
    webhook_receiver.status = 500
    outcome = deliver(build_alert(summary()), webhook_receiver.url, timeout=2)
    assert outcome == {"delivery": "failed", "detail": "HTTP 500"}


@pytest.mark.unit
def test_no_url_sends_the_alert_to_the_log(caplog):
    with caplog.at_level(logging.INFO):
        outcome = deliver(build_alert(summary()), None, timeout=2)
    assert outcome["delivery"] == "logged"
    assert "training_pipeline succeeded in staging" in caplog.text


@pytest.mark.pipeline
def test_the_webhook_url_can_come_from_a_zenml_secret(zenml_store, monkeypatch):
    from zenml.client import Client

    from governance.hooks.alerts import webhook_url

    monkeypatch.delenv("KIT_ALERT_WEBHOOK_URL", raising=False)
    monkeypatch.setenv("KIT_ALERT_WEBHOOK_SECRET", "kit-alert-webhook-test")
    assert webhook_url() is None
    Client().create_secret("kit-alert-webhook-test", values={"url": "http://127.0.0.1:9/x"})
    try:
        assert webhook_url() == "http://127.0.0.1:9/x"
        monkeypatch.setenv("KIT_ALERT_WEBHOOK_URL", "http://127.0.0.1:8/env-wins")
        assert webhook_url() == "http://127.0.0.1:8/env-wins"
    finally:
        Client().delete_secret("kit-alert-webhook-test")

"""The kit's training pipeline under governance: real runs, a real webhook receiver on
127.0.0.1 and a real Prometheus Pushgateway."""

import logging

import pytest
from zenml import Model
from zenml.client import Client
from zenml.exceptions import HookExecutionException

from governance.checks import GateError
from governance.environments import governed
from governance.hooks import GovernanceError, hook_invocations
from lib.pipelines import training_model, training_pipeline

pytestmark = pytest.mark.pipeline


def fields(payload) -> dict[str, str]:
    """Return the payload's ``*Label*\\nvalue`` fields as a dict."""
    out = {}
    for block in payload["blocks"]:
        for field in block.get("fields", []):
            label, value = field["text"].split("\n", 1)
            out[label.strip("*")] = value
    return out


def test_same_pipeline_alerts_and_pushes_metrics_only_in_staging(
    zenml_store, webhook_receiver, pushgateway, gateway_values, monkeypatch
):
    monkeypatch.setenv("KIT_ALERT_WEBHOOK_URL", webhook_receiver.url)
    monkeypatch.setenv("KIT_PUSHGATEWAY_URL", pushgateway)
    model_name = "breast_cancer_classifier_gov_envs"
    labelled = training_pipeline.with_options(model=training_model("gov_envs"))

    dev_run = governed(labelled, "dev")()
    assert dev_run.status.value == "completed"
    assert webhook_receiver.requests == []
    assert gateway_values(pushgateway, model=model_name) == {}
    assert hook_invocations(dev_run.id).empty

    run = governed(labelled, "staging")()
    assert run.status.value == "completed"
    assert len(webhook_receiver.requests) == 1  # one alert for the run, not one per step
    payload = webhook_receiver.payloads()[0]
    shown = fields(payload)
    assert shown["Pipeline"] == "training_pipeline"
    assert shown["Run"] == run.name
    assert shown["Environment"] == "staging"
    assert shown["Status"] == "completed"
    assert shown["Model version"] == f"{model_name} v2"  # dev made v1
    assert shown["Rows"] == "569"
    assert "accuracy 0.9" in shown["Key metrics"] and "f1 0.9" in shown["Key metrics"]
    assert payload["text"].startswith(":white_check_mark: training_pipeline succeeded in staging")

    metrics = Client().get_pipeline_run(run.id).run_metadata["kit_metrics"]
    pushed = gateway_values(pushgateway, model=model_name, environment="staging")
    assert pushed["kit_pipeline_run_success"] == 1
    assert pushed["kit_model_accuracy"] == pytest.approx(metrics["accuracy"])
    assert pushed["kit_model_f1"] == pytest.approx(metrics["f1"])
    assert pushed["kit_dataset_rows"] == 569
    assert 0 < pushed["kit_pipeline_run_duration_seconds"] < 600

    calls = hook_invocations(run.id)
    assert sorted(calls.hook_type) == ["run_end", "run_success"]
    assert set(calls.status) == {"completed"}
    assert calls.step.isna().all()


@pytest.mark.parametrize(
    "name, tags, named",
    [
        ("breast_cancer_classifier_gov_tags", ["use_case:breast_cancer"], "owner_team:"),
        ("BreastCancerModel", ["use_case:x", "owner_team:y"], "model name"),
    ],
)
def test_a_model_breaking_the_policy_fails_before_the_first_step(
    zenml_store, webhook_receiver, monkeypatch, name, tags, named
):
    monkeypatch.setenv("KIT_ALERT_WEBHOOK_URL", webhook_receiver.url)
    runnable = governed(
        training_pipeline.with_options(model=Model(name=name, tags=tags)), "staging"
    )
    with pytest.raises(HookExecutionException) as refused:
        runnable()
    cause = refused.value.__cause__
    assert isinstance(cause, GovernanceError)
    assert named in str(cause) and name in str(cause)

    run = Client().get_pipeline("training_pipeline").last_run
    assert run.status.value == "failed"
    assert len(run.steps) == 0  # no step ran
    # the registry is as it was: the version ZenML numbered for the refused run is gone
    assert run.model_version is None
    with pytest.raises(KeyError):
        Client().get_model(name)  # the run created the model, so the model went too
    assert len(webhook_receiver.requests) == 1
    alert = webhook_receiver.payloads()[0]
    assert alert["text"].startswith(":x: training_pipeline FAILED in staging")
    assert "GovernanceError: model governance refused" in str(alert["blocks"])
    assert named in str(alert["blocks"])


def test_a_failing_gate_sends_one_failure_alert(
    zenml_store, webhook_receiver, pushgateway, gateway_values, monkeypatch, edit_policy
):
    edit_policy({"performance.staging.f1": 0.999})
    monkeypatch.setenv("KIT_ALERT_WEBHOOK_URL", webhook_receiver.url)
    monkeypatch.setenv("KIT_PUSHGATEWAY_URL", pushgateway)
    runnable = governed(training_pipeline.with_options(model=training_model("gov_gate")), "staging")
    with pytest.raises(GateError, match="f1 minimum"):
        runnable()
    assert len(webhook_receiver.requests) == 1
    alert = webhook_receiver.payloads()[0]
    assert fields(alert)["Status"] == "failed"
    assert "performance gate (staging thresholds) refused" in str(alert["blocks"])
    pushed = gateway_values(pushgateway, model="breast_cancer_classifier_gov_gate")
    assert pushed["kit_pipeline_run_success"] == 0


def test_receivers_down_or_slow_never_fail_the_run(
    zenml_store, webhook_receiver, closed_url, monkeypatch, edit_policy, caplog
):
    edit_policy({"notifications.webhook_timeout_seconds": 0.5})
    webhook_receiver.delay = 5  # answers long after the timeout
    monkeypatch.setenv("KIT_ALERT_WEBHOOK_URL", webhook_receiver.url)
    monkeypatch.setenv("KIT_PUSHGATEWAY_URL", closed_url.rsplit("/", 2)[0])  # nothing listens
    runnable = governed(training_pipeline.with_options(model=training_model("gov_down")), "staging")
    with caplog.at_level(logging.INFO):
        run = runnable()
    assert run.status.value == "completed"

    metadata = Client().get_pipeline_run(run.id).run_metadata
    assert metadata["kit_alert"] == {
        "status": "completed",
        "delivery": "failed",
        "detail": "no answer within 0.5 s",
    }
    assert metadata["kit_metrics_push"]["delivery"] == "failed"
    assert "alert delivery FAILED" in caplog.text
    assert "metrics push to" in caplog.text
    assert "secret-token" not in caplog.text  # the webhook URL is a secret
    calls = hook_invocations(run.id).set_index("hook_type")
    assert calls.loc["run_success", "duration_seconds"] < 3  # the timeout held

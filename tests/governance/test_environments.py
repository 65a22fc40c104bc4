"""governed(): the environment decides which hooks a pipeline gets, from outside its code."""

import pytest
from zenml import Model, pipeline, step

from governance.environments import governed

TAGS = ["use_case:breast_cancer", "owner_team:ml-platform"]


@step
def noop() -> int:
    return 1


@pipeline(dynamic=True, enable_cache=False)
def dynamic_pipeline() -> None:
    noop()


@pipeline(enable_cache=False)
def static_pipeline() -> None:
    noop()


def hooks(p) -> dict:
    c = p.configuration
    return {
        "init": c.init_hook_source,
        "success": c.success_hook_source,
        "failure": c.failure_hook_source,
        "end": c.end_hook_source,
    }


def with_model(p, name="breast_cancer_classifier_env"):
    return p.with_options(model=Model(name=name, tags=TAGS))


@pytest.mark.unit
def test_dev_stamps_the_environment_and_adds_no_hooks():
    dev = governed(with_model(dynamic_pipeline), "dev")
    assert dev.configuration.extra["kit_environment"] == "dev"
    assert set(hooks(dev).values()) == {None}


@pytest.mark.unit
@pytest.mark.parametrize("environment", ["staging", "production", " Staging "])
def test_enforcing_environments_attach_governance_alert_and_metrics_hooks(environment):
    runnable = governed(with_model(dynamic_pipeline), environment)
    config = runnable.configuration
    assert config.extra["kit_environment"] == environment.strip().lower()
    attached = {k: v.import_path for k, v in hooks(runnable).items()}
    assert attached == {
        "init": "governance.hooks.model_governance.enforce_model_governance",
        "success": "governance.hooks.alerts.send_success_alert",
        "failure": "governance.hooks.alerts.send_failure_alert",
        "end": "governance.hooks.monitoring.push_run_metrics",
    }
    assert config.init_hook_kwargs == {
        "model_name": "breast_cancer_classifier_env",
        "model_tags": TAGS,
        "environment": environment.strip().lower(),
    }


@pytest.mark.unit
def test_the_original_pipeline_is_left_untouched():
    original = with_model(dynamic_pipeline)
    governed(original, "staging")
    assert set(hooks(original).values()) == {None}


@pytest.mark.unit
def test_a_static_pipeline_is_refused_where_alerts_must_fire_once_per_run():
    with pytest.raises(ValueError, match=r"needs @pipeline\(dynamic=True\)"):
        governed(with_model(static_pipeline), "staging")
    assert governed(with_model(static_pipeline), "dev").configuration.extra  # dev is fine


@pytest.mark.unit
def test_a_pipeline_without_model_is_refused_in_staging():
    with pytest.raises(ValueError, match="has no model"):
        governed(dynamic_pipeline, "production")


@pytest.mark.unit
def test_an_unknown_environment_is_refused():
    with pytest.raises(ValueError, match="unknown environment 'qa'"):
        governed(with_model(dynamic_pipeline), "qa")

"""The ZenML 0.98 behaviour the alert design rests on, checked so an upgrade that changes it
is noticed: a static pipeline copies run hooks onto every step; a dynamic one fires them once."""

import pytest
from zenml import pipeline, step

from governance.hooks import hook_invocations, send_success_alert

pytestmark = pytest.mark.pipeline


@step
def first() -> int:
    return 1


@step
def second(x: int) -> int:
    return x + 1


@step
def third(x: int) -> int:
    return x + 1


@pipeline(enable_cache=False, on_success=send_success_alert)
def static_three_steps() -> None:
    third(second(first()))


@pipeline(enable_cache=False, dynamic=True, on_success=send_success_alert)
def dynamic_three_steps() -> None:
    third(second(first()))


def test_static_pipelines_copy_the_hook_onto_every_step_and_the_alert_hook_refuses(
    zenml_store, webhook_receiver, monkeypatch
):
    monkeypatch.setenv("KIT_ALERT_WEBHOOK_URL", webhook_receiver.url)
    run = static_three_steps()
    calls = hook_invocations(run.id)
    assert list(calls.hook_type) == ["step_success"] * 3
    assert sorted(calls.step) == ["first", "second", "third"]
    assert webhook_receiver.requests == []  # three step-level calls, no alert spam


def test_dynamic_pipelines_fire_run_hooks_once(zenml_store, webhook_receiver, monkeypatch):
    monkeypatch.setenv("KIT_ALERT_WEBHOOK_URL", webhook_receiver.url)
    run = dynamic_three_steps()
    assert list(hook_invocations(run.id).hook_type) == ["run_success"]
    assert len(webhook_receiver.requests) == 1

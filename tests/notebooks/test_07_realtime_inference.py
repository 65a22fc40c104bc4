"""Chapter 07 (real-time inference): in the session's chain, and on the dev-staging side.

The chain runs it with its defaults: it serves the production version chapter 05 released. The
failing-cell test serves a staging version (``SIDE="dev-staging"``, ``STAGE="staging"``), as a
learner does before production exists.
"""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.deployment

LEARNER = "seven"
N_FAST_DEFAULT = 200  # the chapter's default number of fast-path requests


@pytest.fixture(scope="module")
def staged(zenml_store) -> str:
    """A version of the learner's model in staging, promoted by the real gates."""
    from sklearn.model_selection import train_test_split
    from zenml import Model, link_artifact_to_model, log_metadata, save_artifact
    from zenml.client import Client
    from zenml.enums import ArtifactType

    from governance.promotion import promote
    from lib.config import model_name
    from lib.data import TARGET, load_frame
    from lib.modeling import classification_metrics, fit_model
    from lib.pipelines.training import DEFAULT_TAGS
    from lib.preprocessing import build_preprocessor

    frame = load_frame("original")
    x_train, x_test, y_train, y_test = train_test_split(
        frame.drop(columns=[TARGET]), frame[TARGET], test_size=0.25, random_state=7,
        stratify=frame[TARGET],
    )  # fmt: skip
    model = fit_model(build_preprocessor(x_train, 50, 0.95, 42), x_train, y_train)
    name = model_name(LEARNER)
    Client().create_model(name=name)
    Client().create_model_version(model_name_or_id=name, name="s1", tags=list(DEFAULT_TAGS))
    link_artifact_to_model(
        save_artifact(model, name="model", artifact_type=ArtifactType.MODEL),
        model=Model(name=name, version="s1"),
    )
    metrics = classification_metrics(model, x_test, y_test)
    log_metadata(
        metadata={**metrics, "data_quality": {"passed": True}}, model_name=name, model_version="s1"
    )
    promote(name, "s1", "staging", reason="chapter 07 test")
    return name


def _deployments() -> list[str]:
    from zenml.client import Client

    return [d.name for d in Client().list_deployments(size=100).items]


def test_chapter_07_deploys_answers_refuses_times_audits_and_deletes(chain):
    released, out = chain["05_promote_to_production"], chain["07_realtime_inference"]
    live = released["production_version"]
    assert out["served_version"] == live and out["stage"] == "production"
    for answer in (out["invoke_answer"], out["fast_answer"]):
        assert answer["model_name"] == released["model_name"] and answer["model_version"] == live
    assert out["invoke_run_version"] == live
    assert out["fast_answer"]["p_malignant"] == out["invoke_answer"]["p_malignant"]
    assert out["refused_status"] == 422 and out["refused_fields"] == ["radius error"]
    assert out["no_key_status"] == 401
    # a body naming "mean radius" twice: refused at the door, naming the key
    assert out["doubled_status"] == 422 and out["doubled_fields"] == ["mean radius"]
    fast_p50, invoke_p50 = (
        out["p50_ms"]["/predict (fast path)"],
        out["p50_ms"]["/invoke (a run per request)"],
    )
    assert 0 < fast_p50 < invoke_p50
    assert out["fast_answer_audited"] and out["audited_rows"] >= N_FAST_DEFAULT + 1
    assert out["deleted"] is True and f"realtime-{chain.learner}" not in out["deployments_left"]


def test_a_failing_cell_after_deploying_still_removes_the_deployment(staged, run_chapter):
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError, match="FAIL_AFTER_DEPLOY"):
        run_chapter(
            "07_realtime_inference",
            LEARNER=LEARNER, SIDE="dev-staging", STAGE="staging", FAIL_AFTER_DEPLOY=True,
        )  # fmt: skip
    # the watcher deletes it once the kernel has gone; give it a moment on a loaded machine
    deadline = time.monotonic() + 120
    while f"realtime-{LEARNER}" in _deployments():
        assert time.monotonic() < deadline, "the deployment outlived the failed chapter"
        time.sleep(1)

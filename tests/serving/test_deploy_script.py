"""scripts/deploy_realtime.py refuses what it cannot do with one line and a non-zero exit."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lib.config import PROJECT_ROOT

pytestmark = pytest.mark.pipeline

SCRIPT = PROJECT_ROOT / "scripts" / "deploy_realtime.py"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300
    )


def _error_line(result: subprocess.CompletedProcess) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, result.stderr[-2000:]
    return lines[0]


def test_deploying_a_model_without_a_version_in_the_stage_is_refused_and_starts_nothing(
    zenml_store,
):
    from zenml.client import Client

    result = _run("deploy", "--side", "dev-staging", "--suffix", "nobody", "--name", "rt-none")
    assert result.returncode == 1
    assert "breast_cancer_classifier_nobody" in _error_line(result)
    assert "promote one first" in _error_line(result)
    assert "rt-none" not in [d.name for d in Client().list_deployments(size=100).items]


def test_status_and_invoke_of_an_unknown_deployment_fail_with_one_line(zenml_store):
    for command in ("status", "invoke"):
        result = _run(command, "--side", "dev-staging", "--name", "rt-missing")
        assert result.returncode == 1
        assert "no deployment named 'rt-missing'" in _error_line(result)


def test_deleting_an_unknown_deployment_says_so_and_succeeds(zenml_store):
    result = _run("delete", "--side", "dev-staging", "--name", "rt-missing")
    assert result.returncode == 0 and "no deployment named 'rt-missing'" in result.stdout

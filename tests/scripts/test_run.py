"""scripts/run.py: the same pipeline in any environment, exit codes a CI job can trust."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.pipeline

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "run.py"


def run_script(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_dev_run_completes_and_reports_the_model_version(zenml_store):
    result = run_script("--pipeline", "training", "--environment", "dev", "--suffix", "script_dev")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "training_pipeline in dev: completed" in result.stdout
    assert "model breast_cancer_classifier_script_dev v1" in result.stdout


def test_a_refused_staging_run_exits_1_with_the_reason(zenml_store, tmp_path):
    policy = yaml.safe_load((ROOT / "governance" / "policy.yaml").read_text())
    policy["performance"]["staging"]["recall"] = 0.999
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(policy))
    result = run_script(
        "--pipeline",
        "training",
        "--environment",
        "staging",
        "--suffix",
        "script_refused",
        env={"KIT_POLICY_PATH": str(path)},
    )
    assert result.returncode == 1, result.stderr[-3000:]
    assert "training_pipeline in staging: refused" in result.stdout
    assert "recall minimum" in result.stdout and ">= 0.999" in result.stdout


def test_bad_arguments_exit_2():
    result = run_script("--pipeline", "training", "--environment", "qa")
    assert result.returncode == 2
    assert "invalid choice: 'qa'" in result.stderr

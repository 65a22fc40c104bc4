"""The GitOps rehearsal: the workflows' own commands, in order, against embedded stores."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from lib.config import PROJECT_ROOT

pytestmark = pytest.mark.pipeline


def test_release_cycle_rehearsal_trains_promotes_and_scores(tmp_path):
    state = tmp_path / "state"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZENML_STORE")}
    env.pop("ZENML_CONFIG_PATH", None)
    result = subprocess.run(
        [
            sys.executable,
            str(PROJECT_ROOT / "scripts" / "rehearse_workflows.py"),
            "--state",
            str(state),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-6000:]
    assert "rehearsal passed: train-staging, promote-to-production, batch-inference" in out
    # The staging workflow's promotion recorded the CI actor in the ledger...
    assert "none -> staging (ledger entry 1, by ci:rehearsal)" in out
    # ...and steps that need GitHub were skipped, not silently run.
    assert "skip  train-staging/train: Post the PR comment (needs GitHub)" in out
    # Both embedded stores were created inside the rehearsal's own state folder.
    assert (state / "zenml" / "dev-staging").is_dir() and (state / "zenml" / "production").is_dir()
    assert not (PROJECT_ROOT / "state" / "zenml" / "production" / "rehearsal").exists()

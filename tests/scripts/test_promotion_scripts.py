"""The promotion, audit and champion/challenger entry points: output and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from zenml import log_metadata
from zenml.client import Client

from governance.ledger import read_ledger

pytestmark = pytest.mark.pipeline

ROOT = Path(__file__).resolve().parents[2]
# An empty folder inside the suite's own temporary root (tests/conftest.py), removed with it.
_EMPTY_REPOSITORY = Path(os.environ["ZENML_REPOSITORY_PATH"]).parent / "no-repository"
_EMPTY_REPOSITORY.mkdir(exist_ok=True)
GOOD = {"accuracy": 0.97, "precision": 0.96, "recall": 0.96, "f1": 0.96, "roc_auc": 0.99}


def run_script(name: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    """Run a script on this process's store. None of these runs a pipeline, so the script
    gets an empty repository path and never rewrites the project's shared .zen/config.yaml."""
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / name), *args],
        env={**os.environ, "ZENML_REPOSITORY_PATH": str(_EMPTY_REPOSITORY), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def model(zenml_store) -> str:
    """A model with a good version (1) and a weak one (2), made of metadata only."""
    name = f"breast_cancer_classifier_s{uuid.uuid4().hex[:8]}"
    client = Client()
    client.create_model(name=name)
    for metrics in (GOOD, {**GOOD, "recall": 0.8}):
        mv = client.create_model_version(
            model_name_or_id=name, tags=["use_case:breast_cancer", "owner_team:ml-platform"]
        )
        log_metadata(
            metadata={**metrics, "git_commit": "c0ffee", "data_quality": {"passed": True}},
            model_version_id=mv.id,
        )
    return name


def test_promote_refuses_then_promotes_and_records_both(model):
    refused = run_script(
        "promote_model.py",
        "--model",
        model,
        "--version",
        "2",
        "--reason",
        "weak",
        "--actor",
        "ci-bot",
    )
    assert refused.returncode == 1, refused.stderr[-2000:]
    assert "recall minimum: observed 0.8, expected >= 0.9" in refused.stdout
    assert Client().get_model_version(model, "2").stage is None

    promoted = run_script(
        "promote_model.py", "--model", model, "--version", "1", "--reason", "good", "--json",
        GITHUB_ACTOR="octocat", CI="true",
    )  # fmt: skip
    assert promoted.returncode == 0, promoted.stderr[-2000:]
    entry = json.loads(promoted.stdout)
    assert (entry["decision"], entry["actor"], entry["source"]) == ("promoted", "octocat", "ci")
    assert Client().get_model_version(model, "1").stage == "staging"
    assert [(e.version, e.decision, e.actor) for e in read_ledger(model)] == [
        ("2", "refused", "ci-bot"),
        ("1", "promoted", "octocat"),
    ]


def test_unknown_versions_and_bad_arguments_exit_2(model):
    missing = run_script("promote_model.py", "--model", model, "--version", "9", "--reason", "x")
    assert missing.returncode == 2 and "9" in missing.stderr
    assert len(read_ledger(model)) == 0
    bad = run_script("promote_model.py", "--version", "1", "--reason", "x", "--stage", "qa")
    assert bad.returncode == 2 and "invalid choice: 'qa'" in bad.stderr


def test_audit_report_writes_one_html_file(model, tmp_path):
    result = run_script(
        "audit_report.py", "--model", model, "--version", "1", "--output-dir", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr[-2000:]
    path = Path(result.stdout.strip().splitlines()[-1])
    assert path.parent == tmp_path and path.name == f"{model}_v1.html"
    html = path.read_text()
    assert '<section id="ledger">' in html and "c0ffee" in html


def test_champion_challenger_without_a_champion_rests_on_the_gates(model):
    Client().get_model_version(model, "1").set_stage("staging")
    result = run_script("champion_challenger.py", "--model", model)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "no champion" in result.stdout and "Recommendation: promote" in result.stdout

"""The release boundary under attack and under crashes, on two real embedded stores.

One trained version is exported once; every other bundle here is that bundle re-signed by the
exporter's key with another source version number (what a later export would carry), or by an
unknown key, or with an old export time. Production runs in its own worker processes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time

import numpy
import pytest
from boundary_helpers import PausedImport, days_ago, ledger_stages_match, resign
from release_helpers import MODEL, run_script

from governance.bundle import MODEL_FILE, BundleError, dump_model, signing_key
from governance.release.endpoints import endpoint
from governance.release.errors import SideError
from governance.release.promote import (
    export_bundle,
    import_bundle,
    production_status,
    rollback_production,
)
from governance.release.remote import run_on

pytestmark = pytest.mark.pipeline


def _restage(version: str) -> None:
    from zenml.client import Client

    Client().get_model_version(MODEL, version).set_stage("staging", force=True)


@pytest.fixture(scope="module")
def exported(staged_version, dev_staging, state_dir):
    _restage(staged_version)  # other modules may have released it already
    return export_bundle(MODEL, dev_staging, state_dir, version=staged_version)


@pytest.fixture(scope="module")
def rows():
    from sklearn.datasets import load_breast_cancer

    return load_breast_cancer().data[:5].tolist()


@pytest.fixture(scope="module")
def original_scores(exported, rows):
    from governance.bundle import load_model

    model = load_model((__import__("pathlib").Path(exported["bundle"]) / MODEL_FILE).read_bytes())
    import pandas as pd

    frame = pd.DataFrame(rows, columns=list(model.feature_names_in_))
    return model.predict_proba(frame).tolist()


def _negated_model_bytes(bundle) -> bytes:
    """The bundle's model with its coefficients negated: what an attacker would swap in."""
    from governance.bundle import load_model

    model = load_model((bundle / MODEL_FILE).read_bytes())
    classifier = model.steps[-1][1]
    if hasattr(classifier, "coef_"):
        classifier.coef_ = -classifier.coef_
    else:  # a forest: swap the class order of every leaf
        for tree in classifier.estimators_:
            tree.tree_.value[:] = tree.tree_.value[:, :, ::-1]
    return dump_model(model)


def _status(production):
    status = production_status(MODEL, production)
    zenml, replayed = ledger_stages_match(status)
    assert zenml == replayed, "the ledger's replay disagrees with ZenML's stages"
    assert status["ledger_problems"] == []
    assert all(v["import_state"] == "complete" for v in status["versions"]), status["versions"]
    return status


def test_a_file_replaced_after_verification_is_never_stored(
    exported, state_dir, tmp_path, rows, original_scores
):
    """Replace the model through the importer's pause seam: production keeps what was verified."""
    production = endpoint(str(tmp_path / "production"), "production", state_dir)
    bundle = shutil.copytree(exported["bundle"], tmp_path / "bundle")
    swapped = _negated_model_bytes(bundle)
    paused = PausedImport(
        lambda env: import_bundle(bundle, production, state_dir, extra_env=env),
        tmp_path / "pause",
        "registered",
    )
    paused.wait_paused()
    (bundle / MODEL_FILE).write_bytes(swapped)  # after verification, before the model is saved
    outcome = paused.release()
    assert outcome.get("result", {}).get("status") == "imported", outcome
    version = outcome["result"]["version"]
    scores = run_on(production, "score", model=MODEL, version=version, rows=rows)
    assert numpy.allclose(scores, original_scores)


def test_a_racing_writer_never_gets_its_content_stored(
    exported, state_dir, tmp_path, rows, original_scores
):
    """A process rewriting the model file throughout: the import stores the original or refuses."""
    production = endpoint(str(tmp_path / "production"), "production", state_dir)
    bundle = shutil.copytree(exported["bundle"], tmp_path / "bundle")
    original = (bundle / MODEL_FILE).read_bytes()
    swapped_file = tmp_path / "swapped"
    swapped_file.write_bytes(_negated_model_bytes(bundle))
    original_file = tmp_path / "original"
    original_file.write_bytes(original)
    racer = subprocess.Popen(
        [sys.executable, "-c", (
            "import shutil, sys, time\n"
            "a, b, target = sys.argv[1:]\n"
            "while True:\n"
            "    shutil.copyfile(a, target); time.sleep(0.001)\n"
            "    shutil.copyfile(b, target); time.sleep(0.001)\n"
        ), str(swapped_file), str(original_file), str(bundle / MODEL_FILE)],
    )  # fmt: skip
    outcomes = []
    try:
        for _ in range(3):
            try:
                outcomes.append(import_bundle(bundle, production, state_dir)["status"])
            except (BundleError, SideError) as refusal:
                outcomes.append(f"refused: {refusal}")
    finally:
        racer.kill()
        racer.wait()
    stored = [
        v["version"] for v in production_status(MODEL, production)["versions"]
    ]  # at most one version: the import is idempotent
    assert len(stored) <= 1, outcomes
    for version in stored:
        scores = run_on(production, "score", model=MODEL, version=version, rows=rows)
        assert numpy.allclose(scores, original_scores), outcomes


def test_older_stale_and_unknown_key_bundles_are_refused_naming_rollback(
    exported, state_dir, tmp_path
):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    production = endpoint(str(tmp_path / "production"), "production", state_dir)
    key = signing_key(state_dir)
    number = int(exported["version"])
    older = resign(exported["bundle"], tmp_path / "older", key, version=number + 1)
    newer = resign(exported["bundle"], tmp_path / "newer", key, version=number + 2)
    assert import_bundle(newer, production, state_dir)["status"] == "imported"

    with pytest.raises(SideError, match="not newer than.*scripts/rollback.py") as caught:
        import_bundle(older, production, state_dir)  # signed, never imported, but older
    assert caught.value.kind == "StaleBundleError"
    stale = resign(exported["bundle"], tmp_path / "stale", key, version=number + 3,
                   exported_at=days_ago(30))  # fmt: skip
    with pytest.raises(SideError, match="max_bundle_age.*scripts/rollback.py"):
        import_bundle(stale, production, state_dir)
    stranger = resign(exported["bundle"], tmp_path / "stranger", Ed25519PrivateKey.generate(),
                      version=number + 4)  # fmt: skip
    with pytest.raises(BundleError, match="untrusted key"):
        import_bundle(stranger, production, state_dir)

    status = _status(production)
    assert [v["version"] for v in status["versions"]] == [f"dev-staging-v{number + 2}"]
    assert [e["decision"] for e in status["ledger"]] == ["promoted"]


PHASES = ("created", "registered", "artifacts-saved", "recorded", "staged")


def test_a_kill_at_any_phase_of_an_import_is_settled_by_the_next_run(exported, state_dir, tmp_path):
    """SIGKILL at evenly spread points; each next run settles it at once; rollback still works."""
    production = endpoint(str(tmp_path / "production"), "production", state_dir)
    key = signing_key(state_dir)
    number = int(exported["version"])
    first = resign(exported["bundle"], tmp_path / "b0", key, version=number)
    assert import_bundle(first, production, state_dir)["status"] == "imported"
    live = f"dev-staging-v{number}"
    for index, phase in enumerate(PHASES, start=1):
        killed = resign(exported["bundle"], tmp_path / f"k{index}", key, version=number + index)
        paused = PausedImport(
            lambda env, b=killed: import_bundle(b, production, state_dir, extra_env=env),
            tmp_path / f"pause-{index}",
            phase,
        )
        outcome = paused.kill()
        assert "error" in outcome, f"{phase}: {outcome}"
        started = time.monotonic()
        rerun = import_bundle(killed, production, state_dir)
        elapsed = time.monotonic() - started
        assert elapsed < 120, f"{phase}: the rerun took {elapsed:.0f} s (a lease wait?)"
        assert rerun["recovered"], f"{phase}: no message about what was found"
        name = f"dev-staging-v{number + index}"
        assert rerun["version"] == name
        status = _status(production)
        assert status["production"] == name, phase
        assert status["holders"] == {"production": name}, phase
        live = name
    result = rollback_production(MODEL, production)
    assert result["to"] == f"dev-staging-v{number + len(PHASES) - 1}"
    assert result["from"] == live
    _status(production)


def test_rollback_right_after_a_crash_and_the_cli_agrees(exported, state_dir, tmp_path):
    from governance.release.remote import worker_environment

    production = endpoint(str(tmp_path / "production"), "production", state_dir)
    key = signing_key(state_dir)
    number = int(exported["version"])
    for step in (0, 1):
        bundle = resign(exported["bundle"], tmp_path / f"b{step}", key, version=number + step)
        import_bundle(bundle, production, state_dir)
    crashed = resign(exported["bundle"], tmp_path / "crashed", key, version=number + 2)
    PausedImport(
        lambda env: import_bundle(crashed, production, state_dir, extra_env=env),
        tmp_path / "pause",
        "recorded",
    ).kill()  # its ledger entry is written, its stage is not
    result = rollback_production(MODEL, production)
    assert result["recovered"], "rollback said nothing about the interrupted import"
    assert (result["from"], result["to"]) == (
        f"dev-staging-v{number + 2}",
        f"dev-staging-v{number + 1}",
    )
    status = _status(production)
    assert status["production"] == f"dev-staging-v{number + 1}"
    assert [e["decision"] for e in status["ledger"]][-2:] == ["rollback", "rolled_back"]

    listed = subprocess.run(
        [str(__import__("pathlib").Path(sys.executable).with_name("zenml")), "model", "version",
         "list", "--model", MODEL, "--columns", "name,stage", "--output", "tsv"],
        capture_output=True, text=True, timeout=120, env=worker_environment(production),
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr
    cli = dict(line.split("\t")[:2] for line in listed.stdout.splitlines() if line.count("\t") == 1)
    zenml, replayed = ledger_stages_match(status)
    for version, stage in replayed.items():
        assert version in cli, (version, listed.stdout[-2000:])
        assert stage in cli[version], (version, stage, cli[version])


def test_the_scripts_print_no_key(staged_version, state_dir, tmp_path):
    from governance.bundle import key_file, trusted_keys_file

    _restage(staged_version)
    result = run_script(
        "promote_cross_workspace.py", "--model", MODEL, "--version", staged_version,
        "--dest", str(tmp_path / "production"),
    )  # fmt: skip
    output = result.stdout + result.stderr
    for secret_file in (key_file(state_dir), trusted_keys_file(state_dir)):
        for line in secret_file.read_text().split():
            assert line not in output

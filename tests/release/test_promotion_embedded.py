"""Promotion across two embedded stores: export, verify, import, back-link, rollback, faults.

Each side runs in its own process (one worker per call), so these tests keep the number of
calls low: one promotion is shared by the module and the refusals are checked on copies of its
bundle.
"""

from __future__ import annotations

import base64
import json
import shutil
from dataclasses import dataclass

import pytest
from release_helpers import MODEL, run_script

from governance.bundle import (
    KEY_ENV_VAR,
    MANIFEST,
    MODEL_FILE,
    TRUSTED_KEYS_ENV_VAR,
    BundleError,
    file_sha256,
    public_key_text,
    read_bundle,
    trusted_keys,
)
from governance.release.endpoints import Endpoint, endpoint
from governance.release.errors import SideError
from governance.release.promote import (
    PromotionResult,
    export_bundle,
    import_bundle,
    ledger_of,
    production_status,
    promote_across,
    rollback_production,
)

pytestmark = pytest.mark.pipeline


@dataclass
class Promoted:
    result: PromotionResult
    production: Endpoint


@pytest.fixture(scope="module")
def promoted(staged_version, dev_staging, state_dir, tmp_path_factory) -> Promoted:
    production = endpoint(str(tmp_path_factory.mktemp("prod") / "store"), "production", state_dir)
    result = promote_across(
        MODEL, dev_staging, production, state_dir, stage="staging", approved_by="alice"
    )
    return Promoted(result, production)


@pytest.fixture
def bundle_copy(promoted, tmp_path):
    return shutil.copytree(promoted.result.bundle, tmp_path / "bundle")


def _refused_without_writing(bundle, tmp_path, state_dir, match):
    untouched = endpoint(str(tmp_path / "untouched-production"), "production", state_dir)
    with pytest.raises(BundleError, match=match):
        import_bundle(bundle, untouched, state_dir)
    assert not (tmp_path / "untouched-production").exists()  # production was never contacted


def test_promotion_registers_production_with_links_ledger_and_backlink(
    promoted, staged_version, dev_staging
):
    from zenml.client import Client

    result = promoted.result
    assert result.status == "imported"
    assert result.production_version == f"dev-staging-v{staged_version}"
    assert result.gates and all(g["passed"] for g in result.gates)

    status = production_status(MODEL, promoted.production)
    assert status["production"] == result.production_version
    (version,) = status["versions"]
    assert version["import_state"] == "complete"
    assert version["bundle_sha256"] == result.bundle_sha256
    assert version["source_version"] == int(staged_version)
    (entry,) = status["ledger"]
    assert (entry["approved_by"], entry["bundle_sha256"]) == ("alice", result.bundle_sha256)
    assert entry["source_version"] == staged_version
    assert status["holders"] == {"production": result.production_version}
    assert status["ledger_problems"] == []

    source = Client().get_model_version(MODEL, staged_version)
    assert source.stage == "production"  # the source records which of its versions is live
    assert source.run_metadata["kit_production"]["version"] == result.production_version
    back = ledger_of(MODEL, dev_staging)["entries"][-1]
    assert back["reason"] == f"exported to production as {result.production_version}"


def test_the_same_bundle_imported_twice_gives_one_version(promoted, bundle_copy, state_dir):
    again = import_bundle(bundle_copy, promoted.production, state_dir)
    assert again["status"] == "already-imported"
    assert again["version"] == promoted.result.production_version
    status = production_status(MODEL, promoted.production)
    assert len(status["versions"]) == 1
    assert len(status["ledger"]) == 1


def test_one_changed_byte_is_refused_before_anything_is_written(bundle_copy, tmp_path, state_dir):
    model_file = bundle_copy / MODEL_FILE
    data = bytearray(model_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model_file.write_bytes(bytes(data))
    _refused_without_writing(bundle_copy, tmp_path, state_dir, "hash mismatch.*model.skops")


def test_recomputed_hashes_without_a_new_signature_are_refused(bundle_copy, tmp_path, state_dir):
    metrics_file = bundle_copy / "metrics.json"
    metrics_file.write_text(json.dumps({**json.loads(metrics_file.read_text()), "f1": 1.0}))
    manifest = json.loads((bundle_copy / MANIFEST).read_text())
    manifest["files"]["metrics.json"] = file_sha256(metrics_file)
    (bundle_copy / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    _refused_without_writing(bundle_copy, tmp_path, state_dir, "manifest was changed")


def test_an_untrusted_or_missing_key_is_refused(bundle_copy, tmp_path, state_dir, monkeypatch):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    other = Ed25519PrivateKey.generate()
    monkeypatch.setenv(TRUSTED_KEYS_ENV_VAR, public_key_text(other))
    _refused_without_writing(bundle_copy, tmp_path, state_dir, "untrusted key")
    monkeypatch.delenv(TRUSTED_KEYS_ENV_VAR)
    monkeypatch.delenv(KEY_ENV_VAR, raising=False)
    _refused_without_writing(bundle_copy, tmp_path, tmp_path / "no-state", TRUSTED_KEYS_ENV_VAR)


def test_the_importer_verifies_on_its_own(bundle_copy, promoted, state_dir):
    """Production trusts no caller: a bundle handed straight to its worker is verified there."""
    from governance.release.remote import run_on

    wire = read_bundle(bundle_copy, trusted_keys(state_dir)).to_wire()
    wire["ledger.json"] = base64.b64encode(b'[{"rewritten": true}]\n').decode()
    with pytest.raises(SideError, match="hash mismatch") as caught:
        run_on(promoted.production, "import", files=wire, state_dir=str(state_dir), actor="test")
    assert caught.value.kind == "BundleError"


def test_production_gates_refuse_export_and_write_no_bundle(
    staged_version, dev_staging, state_dir, edit_policy
):
    edit_policy({"performance.production.f1": 0.999})
    bundles = state_dir / "bundles"
    before = set(bundles.glob("*")) if bundles.exists() else set()
    with pytest.raises(SideError, match="production gate") as caught:
        export_bundle(MODEL, dev_staging, state_dir, version=staged_version)
    assert caught.value.kind == "GateError"
    assert "f1 minimum" in str(caught.value)
    assert set(bundles.glob("*")) == before


def test_rollback_restores_the_previous_version_from_the_ledger(
    promoted, staged_version, dev_staging, state_dir
):
    from zenml.client import Client

    from governance.environments import governed
    from lib.pipelines import training_model, training_pipeline

    first = promoted.result
    run = governed(training_pipeline.with_options(model=training_model("rel")), "dev")()
    Client().get_pipeline_run(run.id).model_version.set_stage("staging", force=True)
    second = promote_across(MODEL, dev_staging, promoted.production, state_dir, stage="staging")
    assert second.previous == first.production_version

    result = rollback_production(MODEL, promoted.production, source=dev_staging)
    assert (result["from"], result["to"]) == (second.production_version, first.production_version)
    status = production_status(MODEL, promoted.production)
    stages = {v["version"]: v["stage"] for v in status["versions"]}
    assert stages == {first.production_version: "production", second.production_version: "archived"}
    assert [(e["decision"], e["version"]) for e in status["ledger"][-2:]] == [
        ("rollback", first.production_version),
        ("rolled_back", second.production_version),
    ]
    assert status["holders"] == {"production": first.production_version}
    assert Client().get_model_version(MODEL, "production").number == int(staged_version)


def test_bad_flags_give_one_line_and_a_non_zero_exit(staged_version, tmp_path):
    dest = ["--dest", str(tmp_path / "production")]
    unknown = run_script(
        "promote_cross_workspace.py", "--model", "no_such_model", "--stage", "staging", *dest
    )
    assert (unknown.returncode, unknown.stderr) == (
        1,
        "error: dev-staging: unknown model 'no_such_model'\n",
    )
    unreachable = run_script(
        "promote_cross_workspace.py", "--model", MODEL, "--version", staged_version,
        "--source", "http://127.0.0.1:9", *dest,
    )  # fmt: skip
    assert (unreachable.returncode, unreachable.stderr) == (
        1,
        "error: dev-staging server http://127.0.0.1:9 is unreachable\n",
    )
    assert run_script("promote_cross_workspace.py", "--model", MODEL, *dest).returncode == 2

"""lib.display: the tables and tampered copies chapters 05 and 06 show (no ZenML runs)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sklearn.preprocessing import StandardScaler

from governance.bundle import (
    MODEL_FILE,
    BundleError,
    dump_model,
    read_json,
    seal,
    verify_bundle,
    write_json,
)
from governance.checks import CheckResult
from lib.display.common import gates_table
from lib.display.release import bundle_table, resigned_copy, tampered_copy, thresholds_table

pytestmark = pytest.mark.unit

KEY = Ed25519PrivateKey.generate()
TRUSTED = KEY.public_key()


@pytest.fixture
def bundle(tmp_path):
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / MODEL_FILE).write_bytes(dump_model(StandardScaler().fit([[0.0], [1.0]])))
    write_json(folder, "metrics.json", {"f1": 0.95})
    seal(folder, KEY, {"model": "m", "version": 1})
    return folder


def test_bundle_table_lists_every_file_with_its_hash_and_the_manifest(bundle):
    table = bundle_table(bundle)
    assert list(table.index) == ["metrics.json", MODEL_FILE, "manifest.json", "manifest.sig"]
    assert table.loc[MODEL_FILE, "sha256"].endswith("…")


@pytest.mark.parametrize(
    ("how", "message"),
    [("byte", "hash mismatch.*model.skops"), ("rehash", "manifest was changed")],
)
def test_tampered_copies_are_refused_and_the_original_still_verifies(
    bundle, tmp_path, how, message
):
    copy = tampered_copy(bundle, how, into=tmp_path / "copies")
    with pytest.raises(BundleError, match=message):
        verify_bundle(copy, TRUSTED)
    assert verify_bundle(bundle, TRUSTED)["model"] == "m"


def test_a_resigned_copy_claims_another_version_and_verifies_only_with_its_key(bundle, tmp_path):
    source = {"model_version": 7, "model_version_id": "abc-000007", "exported_at": "then"}
    write_json(bundle, "source.json", source)
    seal(bundle, KEY, {"model": "m", "version": 7, "source": "dev-staging"})

    older = resigned_copy(bundle, KEY, version=5, into=tmp_path / "copies")
    manifest = verify_bundle(older, TRUSTED)  # validly signed by the exporter's key
    claimed = read_json(older, "source.json")
    assert (manifest["version"], claimed["model_version"]) == (5, 5)
    assert claimed["model_version_id"] == "abc-000005" and claimed["exported_at"] != "then"
    assert manifest["exported_at"] == claimed["exported_at"]
    assert read_json(bundle, "source.json") == source  # the original is untouched

    stranger = resigned_copy(bundle, Ed25519PrivateKey.generate(), into=tmp_path / "copies2")
    assert read_json(stranger, "source.json")["model_version"] == 7
    with pytest.raises(BundleError, match="untrusted key"):
        verify_bundle(stranger, TRUSTED)


def test_an_unknown_tampering_is_rejected(bundle):
    with pytest.raises(ValueError, match="byte, rehash"):
        tampered_copy(bundle, "swap")


def test_thresholds_table_puts_production_above_staging():
    table = thresholds_table({"f1": 0.95, "recall": 0.91})
    assert (table["production ≥"] >= table["staging ≥"]).all()
    assert table.loc["f1", "candidate"] == 0.95


def test_gates_table_accepts_results_and_ledger_dicts():
    result = CheckResult("f1 minimum", False, 0.9123456, ">= 0.93")
    as_dict = {"name": "f1 minimum", "passed": False, "observed": 0.9123456, "expected": ">= 0.93"}
    assert gates_table([result]).equals(gates_table([as_dict]))
    assert gates_table([result]).loc["f1 minimum", "observed"] == 0.9123


def test_plot_drift_draws_one_bar_group_per_batch_with_the_policy_lines():
    from lib.display.batch import plot_drift

    def report(psi: float) -> dict:
        features = {f"f{i}": {"psi": psi * i} for i in range(12)}
        return {"features": features, "thresholds": {"warn_psi": 0.1, "alert_psi": 0.25}}

    figure = plot_drift({"batch": report(0.01), "shifted": report(0.1)}, top=5)
    ax = figure.axes[0]
    assert {"batch", "shifted"} <= {t.get_text() for t in ax.get_legend().get_texts()}
    assert len(ax.patches) == 10  # 5 features x 2 batches


def test_copies_go_under_the_state_folder_by_default_and_a_rerun_replaces_them(
    bundle, tmp_path, monkeypatch
):
    import lib.display.release as release

    monkeypatch.setattr(release, "ATTACKS_DIR", tmp_path / "state" / "attacks")
    first = tampered_copy(bundle, "byte")
    assert first.parent == tmp_path / "state" / "attacks"
    (first / "left-over").write_text("from an earlier run")
    again = tampered_copy(bundle, "byte")  # the chapter run a second time
    assert again == first and not (again / "left-over").exists()
    with pytest.raises(BundleError, match="hash mismatch"):
        verify_bundle(again, TRUSTED)
    write_json(bundle, "source.json", {"model_version": 7, "model_version_id": "abc-000007"})
    seal(bundle, KEY, {"model": "m", "version": 7, "source": "dev-staging"})
    resigned = resigned_copy(bundle, KEY)
    assert resigned.parent == first.parent and verify_bundle(resigned, TRUSTED)["model"] == "m"

"""The signed bundle format: every refusal, on real files, with real Ed25519 keys and skops."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sklearn.datasets import load_breast_cancer
from sklearn.pipeline import Pipeline
from sklearn.svm import SVC

import governance.bundle as bundle_module
from governance.bundle import (
    KEY_ENV_VAR,
    MANIFEST,
    MODEL_FILE,
    SIGNATURE,
    TRUSTED_KEYS_ENV_VAR,
    BundleError,
    dump_model,
    file_sha256,
    key_id,
    load_model,
    private_key_text,
    public_key_text,
    read_bundle,
    seal,
    signing_key,
    trusted_keys,
    verify_bundle,
)
from lib.modeling import make_classifier

pytestmark = pytest.mark.unit

KEY = Ed25519PrivateKey.generate()
PUBLIC = KEY.public_key()


def _model(name: str = "logistic_regression"):
    X, y = load_breast_cancer(return_X_y=True)
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler

    return Pipeline(
        [("scaler", StandardScaler()), ("pca", PCA(5)), ("classifier", make_classifier(name))]
    ).fit(X, y)


@pytest.fixture
def bundle(tmp_path):
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "payload.bin").write_bytes(bytes(range(256)) * 8)
    (folder / "version.json").write_text(json.dumps({"model": "m", "version": "3"}))
    (folder / "nested").mkdir()
    (folder / "nested" / "ledger.json").write_text("[]")
    seal(folder, KEY, {"model": "m", "version": "3"})
    return folder


def test_a_sealed_bundle_verifies_and_lists_every_file(bundle):
    manifest = verify_bundle(bundle, {key_id(KEY): PUBLIC})
    assert set(manifest["files"]) == {"payload.bin", "version.json", "nested/ledger.json"}
    assert manifest["files"]["payload.bin"] == file_sha256(bundle / "payload.bin")


def test_the_signature_is_ed25519_and_verifies_with_the_public_key_only(bundle):
    signature = (bundle / SIGNATURE).read_bytes()
    PUBLIC.verify(__import__("base64").b64decode(signature), (bundle / MANIFEST).read_bytes())
    with pytest.raises(BundleError, match="public keys"):
        verify_bundle(bundle, KEY)  # a verifying side is handed no private key


def test_one_changed_byte_is_refused(bundle):
    data = bytearray((bundle / "payload.bin").read_bytes())
    data[100] ^= 0x01
    (bundle / "payload.bin").write_bytes(bytes(data))
    with pytest.raises(BundleError, match="hash mismatch.*payload.bin"):
        verify_bundle(bundle, PUBLIC)


def test_recomputed_hashes_without_a_new_signature_are_refused(bundle):
    (bundle / "version.json").write_text(json.dumps({"model": "m", "version": "4"}))
    manifest = json.loads((bundle / MANIFEST).read_text())
    manifest["files"]["version.json"] = file_sha256(bundle / "version.json")
    (bundle / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    with pytest.raises(BundleError, match="changed after signing"):
        verify_bundle(bundle, PUBLIC)


def test_a_bundle_signed_by_an_unknown_key_is_refused_and_named(bundle):
    other = Ed25519PrivateKey.generate()
    with pytest.raises(BundleError, match=f"untrusted key \\(key id {key_id(KEY)}\\)"):
        verify_bundle(bundle, other.public_key())


def test_a_forged_key_id_does_not_help(bundle):
    """Claiming the trusted key's id while signing with another key fails the signature."""
    forger = Ed25519PrivateKey.generate()
    data = (bundle / MANIFEST).read_bytes()
    (bundle / SIGNATURE).write_text(__import__("base64").b64encode(forger.sign(data)).decode())
    with pytest.raises(BundleError, match="signature does not match"):
        verify_bundle(bundle, PUBLIC)


def test_two_keys_are_trusted_during_a_rotation(bundle, tmp_path, monkeypatch):
    new = Ed25519PrivateKey.generate()
    newer = tmp_path / "newer"
    newer.mkdir()
    (newer / "a.json").write_text("{}")
    seal(newer, new, {})
    monkeypatch.setenv(TRUSTED_KEYS_ENV_VAR, f"{public_key_text(KEY)}, {public_key_text(new)}")
    keys = trusted_keys()
    assert set(keys) == {key_id(KEY), key_id(new)}
    verify_bundle(bundle, keys)
    verify_bundle(newer, keys)
    monkeypatch.setenv(TRUSTED_KEYS_ENV_VAR, public_key_text(new))  # the old key retired
    with pytest.raises(BundleError, match="untrusted key"):
        verify_bundle(bundle, trusted_keys())


def test_an_extra_or_missing_file_is_refused(bundle):
    (bundle / "payload.py").write_text("print('hi')")
    with pytest.raises(BundleError, match="extra \\['payload.py'\\]"):
        verify_bundle(bundle, PUBLIC)
    (bundle / "payload.py").unlink()
    (bundle / "nested" / "ledger.json").unlink()
    with pytest.raises(BundleError, match="missing"):
        verify_bundle(bundle, PUBLIC)


def test_a_missing_signature_is_refused(bundle):
    (bundle / SIGNATURE).unlink()
    with pytest.raises(BundleError, match="no manifest.sig"):
        verify_bundle(bundle, PUBLIC)


def test_each_file_is_read_once_and_the_checked_bytes_are_returned(bundle, monkeypatch):
    """What was hashed is what the caller gets: reading again would reopen a replaceable file."""
    reads = []
    original = bundle_module.Path.read_bytes

    def counting(path):
        reads.append(path.name)
        return original(path)

    monkeypatch.setattr(bundle_module.Path, "read_bytes", counting)
    verified = read_bundle(bundle, PUBLIC)
    assert sorted(reads) == sorted(["payload.bin", "version.json", "ledger.json", MANIFEST,
                                    SIGNATURE])  # fmt: skip
    (bundle / "version.json").write_text('{"replaced": true}')
    assert verified.json("version.json") == {"model": "m", "version": "3"}


def test_the_kit_models_cross_as_skops_with_identical_predictions():
    X, _ = load_breast_cancer(return_X_y=True)
    for name in ("logistic_regression", "random_forest"):
        model = _model(name)
        loaded = load_model(dump_model(model))
        assert (loaded.predict_proba(X) == model.predict_proba(X)).all()


def test_a_model_file_holding_an_untrusted_type_is_refused_before_loading(tmp_path):
    import skops.io as sio

    X, y = load_breast_cancer(return_X_y=True)
    data = sio.dumps(Pipeline([("classifier", SVC())]).fit(X[:50], y[:50]))
    with pytest.raises(BundleError, match="sklearn.svm._classes.SVC"):
        load_model(data)
    with pytest.raises(BundleError, match="outside the trusted list"):
        dump_model(Pipeline([("classifier", SVC())]))
    folder = tmp_path / "svc"
    folder.mkdir()
    (folder / MODEL_FILE).write_bytes(data)
    seal(folder, KEY, {})
    with pytest.raises(BundleError, match="outside the trusted list"):
        read_bundle(folder, PUBLIC)  # a signed bundle is refused for its model's types too


def test_a_pickle_in_the_model_file_is_refused_and_never_run(tmp_path):
    import pickle

    marker = tmp_path / "ran"
    payload = pickle.dumps(
        type("Boom", (), {"__reduce__": lambda self: (marker.touch, ())})()
    )  # unpickling it would create the marker
    with pytest.raises(BundleError, match="not a skops file"):
        load_model(payload)
    assert not marker.exists()


def test_no_key_configured_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV_VAR, raising=False)
    monkeypatch.delenv(TRUSTED_KEYS_ENV_VAR, raising=False)
    with pytest.raises(BundleError, match=KEY_ENV_VAR):
        signing_key(tmp_path)
    with pytest.raises(BundleError, match=TRUSTED_KEYS_ENV_VAR):
        trusted_keys(tmp_path)


def test_a_local_key_pair_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV_VAR, raising=False)
    monkeypatch.delenv(TRUSTED_KEYS_ENV_VAR, raising=False)
    first = signing_key(tmp_path, create=True)
    assert key_id(signing_key(tmp_path)) == key_id(first)
    key_path = tmp_path / "secrets" / "bundle-signing-key"
    assert key_path.stat().st_mode & 0o777 == 0o600
    assert set(trusted_keys(tmp_path)) == {key_id(first)}
    other = Ed25519PrivateKey.generate()
    monkeypatch.setenv(KEY_ENV_VAR, private_key_text(other))
    assert key_id(signing_key(tmp_path)) == key_id(other)

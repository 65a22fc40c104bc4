"""The signed bundle format: every refusal the issue lists, on real files."""

from __future__ import annotations

import json

import pytest

from governance.bundle import (
    KEY_ENV_VAR,
    MANIFEST,
    SIGNATURE,
    BundleError,
    file_sha256,
    seal,
    signing_key,
    verify_bundle,
)

pytestmark = pytest.mark.unit

KEY = b"k" * 32


@pytest.fixture
def bundle(tmp_path):
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "model.pkl").write_bytes(bytes(range(256)) * 8)
    (folder / "version.json").write_text(json.dumps({"model": "m", "version": "3"}))
    (folder / "nested").mkdir()
    (folder / "nested" / "ledger.json").write_text("[]")
    seal(folder, KEY, {"model": "m", "version": "3"})
    return folder


def test_a_sealed_bundle_verifies_and_lists_every_file(bundle):
    manifest = verify_bundle(bundle, KEY)
    assert set(manifest["files"]) == {"model.pkl", "version.json", "nested/ledger.json"}
    assert manifest["files"]["model.pkl"] == file_sha256(bundle / "model.pkl")


def test_one_changed_byte_is_refused(bundle):
    data = bytearray((bundle / "model.pkl").read_bytes())
    data[100] ^= 0x01
    (bundle / "model.pkl").write_bytes(bytes(data))
    with pytest.raises(BundleError, match="hash mismatch.*model.pkl"):
        verify_bundle(bundle, KEY)


def test_recomputed_hashes_without_a_new_signature_are_refused(bundle):
    (bundle / "version.json").write_text(json.dumps({"model": "m", "version": "4"}))
    manifest = json.loads((bundle / MANIFEST).read_text())
    manifest["files"]["version.json"] = file_sha256(bundle / "version.json")
    (bundle / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    with pytest.raises(BundleError, match="changed after signing"):
        verify_bundle(bundle, KEY)


def test_a_wrong_key_is_refused_and_named_as_such(bundle):
    with pytest.raises(BundleError, match="another key"):
        verify_bundle(bundle, b"w" * 32)


def test_an_extra_or_missing_file_is_refused(bundle):
    (bundle / "payload.py").write_text("print('hi')")
    with pytest.raises(BundleError, match="extra \\['payload.py'\\]"):
        verify_bundle(bundle, KEY)
    (bundle / "payload.py").unlink()
    (bundle / "nested" / "ledger.json").unlink()
    with pytest.raises(BundleError, match="missing"):
        verify_bundle(bundle, KEY)


def test_a_missing_signature_is_refused(bundle):
    (bundle / SIGNATURE).unlink()
    with pytest.raises(BundleError, match="no manifest.sig"):
        verify_bundle(bundle, KEY)


def test_no_key_configured_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV_VAR, raising=False)
    with pytest.raises(BundleError, match=KEY_ENV_VAR):
        signing_key(tmp_path)


def test_a_local_key_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV_VAR, raising=False)
    first = signing_key(tmp_path, create=True)
    assert signing_key(tmp_path) == first
    key_path = tmp_path / "secrets" / "bundle-signing-key"
    assert key_path.stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv(KEY_ENV_VAR, "e" * 32)
    assert signing_key(tmp_path) == b"e" * 32

"""The signed model bundle that crosses the staging → production boundary (no ZenML here).

A bundle is a folder of plain files plus ``manifest.json``, which lists the SHA-256 of every
other file, and ``manifest.sig``, an **Ed25519** signature of the manifest's exact bytes.

- **Who holds which key.** The exporting side (dev-staging, or the CI job that releases) holds
  the private key: :func:`signing_key`. Production holds only public keys, each named by a key id
  (:func:`trusted_keys`); two are trusted during a rotation. A public key verifies and cannot
  sign, so a stolen production secret forges nothing.
- **Read once.** :func:`read_bundle` reads every file of the folder exactly once into memory,
  checks the signature and the hashes on those bytes, and returns them
  (:class:`VerifiedBundle`). Everything after that parses or loads the same bytes; nothing
  reopens the folder, so a file replaced after the check is never used.
- **No code in the model file.** The model travels as ``model.skops``: :func:`load_model`
  refuses a file holding any type outside :data:`TRUSTED_MODEL_TYPES` before anything runs;
  no pickle crosses the boundary.

Refusals, each a :class:`BundleError` with a one-line message:

- one changed byte in any file → its hash no longer matches;
- a manifest rewritten with fresh hashes → the signature no longer matches;
- a bundle signed by a key production does not trust → named by its key id;
- an extra or a missing file, an unknown format, a model holding an untrusted type.

Keys come from ``KIT_BUNDLE_SIGNING_KEY`` (exporter: the private key, base64 of its 32 raw
bytes, or PEM) and ``KIT_BUNDLE_TRUSTED_KEYS`` (production: base64 public keys separated by
spaces, commas or new lines). CI puts repository secrets there. For local use,
``signing_key(state_dir, create=True)`` generates a key pair into the git-ignored secrets folder
and adds its public key to the local trusted list. No function here prints or logs a key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import os
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from governance.secret_files import secrets_dir, write_secret

FORMAT = "kit-model-bundle/2"
MANIFEST = "manifest.json"
MODEL_CARD_FIELDS: tuple[str, ...] = (
    "description",
    "audience",
    "use_cases",
    "limitations",
    "trade_offs",
    "ethics",
    "license",
)
"""The model card fields a bundle carries across the boundary."""
SIGNATURE = "manifest.sig"
MODEL_FILE = "model.skops"
KEY_ENV_VAR = "KIT_BUNDLE_SIGNING_KEY"
TRUSTED_KEYS_ENV_VAR = "KIT_BUNDLE_TRUSTED_KEYS"
KEY_FILE_NAME = "bundle-signing-key"
TRUSTED_FILE_NAME = "bundle-trusted-keys"

TRUSTED_MODEL_TYPES: tuple[str, ...] = (
    # the kit's model: lib.modeling builds Pipeline([scaler, (pca,) classifier])
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.decomposition._pca.PCA",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.ensemble._forest.RandomForestClassifier",
    "sklearn.tree._classes.DecisionTreeClassifier",
    "sklearn.tree._tree.Tree",
    # the plain values those estimators hold
    "builtins.dict",
    "builtins.list",
    "builtins.tuple",
    "builtins.str",
    "builtins.int",
    "builtins.float",
    "builtins.bool",
    "builtins.NoneType",
    "numpy.ndarray",
    "numpy.dtype",
    "numpy.int64",
    "numpy.float64",
    "numpy.random.mtrand.RandomState",
    "numpy.random._mt19937.MT19937",
)
"""Every type a model file may hold; any other type refuses the whole file."""


class BundleError(RuntimeError):
    """A bundle was refused: unknown key, bad signature, changed or unlisted files, bad model."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: str | Path) -> str:
    """Return the hex SHA-256 of a file."""
    return _sha256(Path(path).read_bytes())


# --- keys -------------------------------------------------------------------------------------


def _secrets_dir(state_dir: str | Path) -> Path:
    return Path(state_dir).expanduser().resolve() / "secrets"


def key_file(state_dir: str | Path) -> Path:
    """Where a locally generated private key is kept (git-ignored, mode 0600)."""
    return _secrets_dir(state_dir) / KEY_FILE_NAME


def trusted_keys_file(state_dir: str | Path) -> Path:
    """Where the local list of trusted public keys is kept (one base64 key per line)."""
    return _secrets_dir(state_dir) / TRUSTED_FILE_NAME


def _raw_public(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """Return the non-secret id of a key pair (from its public key), to tell keys apart."""
    return _sha256(b"kit-bundle-key-id\x00" + _raw_public(key))[:16]


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """Return the public key as base64 text, the form ``KIT_BUNDLE_TRUSTED_KEYS`` takes."""
    return base64.b64encode(_raw_public(key)).decode()


def private_key_text(key: Ed25519PrivateKey) -> str:
    """Return the private key as base64 text, the form ``KIT_BUNDLE_SIGNING_KEY`` takes."""
    raw = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return base64.b64encode(raw).decode()


def _parse_private(text: str) -> Ed25519PrivateKey:
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise ValueError("not an Ed25519 key")
            return key
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text, validate=True))
    except (ValueError, TypeError, binascii.Error):
        raise BundleError(
            f"the bundle signing key is not an Ed25519 private key (base64 of 32 bytes or PEM); "
            f"check {KEY_ENV_VAR}"
        ) from None


def _parse_public(text: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text.strip(), validate=True))
    except (ValueError, TypeError, binascii.Error):
        raise BundleError(
            f"a trusted bundle key is not an Ed25519 public key (base64 of 32 bytes); "
            f"check {TRUSTED_KEYS_ENV_VAR}"
        ) from None


def trust_key(state_dir: str | Path, key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """Add a public key to the local trusted list (kept if present); return its key id."""
    path = trusted_keys_file(state_dir)
    text = public_key_text(key)
    lines = path.read_text().split() if path.is_file() else []
    if text not in lines:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a") as handle:
            handle.write(text + "\n")
        path.chmod(0o600)
    return key_id(key)


def signing_key(state_dir: str | Path | None = None, create: bool = False) -> Ed25519PrivateKey:
    """Return the exporter's private key: ``KIT_BUNDLE_SIGNING_KEY``, else the local key file.

    Args:
        state_dir: The kit's state folder, where a local key file lives.
        create: Generate a local key pair if there is none (never when the env var is set); its
            public key is added to the local trusted list.

    Raises:
        BundleError: No key configured (and ``create`` is False), or not an Ed25519 key.
    """
    value = os.environ.get(KEY_ENV_VAR, "").strip()
    if not value and state_dir is not None:
        path = key_file(state_dir)
        if not path.is_file() and create:
            key = Ed25519PrivateKey.generate()
            secrets_dir(path.parent.parent)
            write_secret(path, private_key_text(key) + "\n")
            trust_key(state_dir, key)
        if path.is_file():
            value = path.read_text().strip()
    if not value:
        raise BundleError(
            f"no bundle signing key: set {KEY_ENV_VAR} on the exporting side (production needs "
            f"only the public key, in {TRUSTED_KEYS_ENV_VAR})"
        )
    return _parse_private(value)


def trusted_keys(state_dir: str | Path | None = None) -> dict[str, Ed25519PublicKey]:
    """Return production's trusted public keys by key id: the env var, else the local list.

    Raises:
        BundleError: No trusted key configured, or one that is not an Ed25519 public key.
    """
    value = os.environ.get(TRUSTED_KEYS_ENV_VAR, "").strip()
    if not value and state_dir is not None and trusted_keys_file(state_dir).is_file():
        value = trusted_keys_file(state_dir).read_text()
    keys = [_parse_public(text) for text in re.split(r"[\s,]+", value) if text]
    if not keys:
        raise BundleError(
            f"no trusted bundle key: set {TRUSTED_KEYS_ENV_VAR} to the exporter's public key"
        )
    return {key_id(key): key for key in keys}


def _as_key_set(keys: Any) -> dict[str, Ed25519PublicKey]:
    if isinstance(keys, Mapping):
        return dict(keys)
    if isinstance(keys, Ed25519PublicKey):
        return {key_id(keys): keys}
    if isinstance(keys, Ed25519PrivateKey):
        raise BundleError("verify with public keys (trusted_keys), not with a private key")
    return {key_id(key): key for key in keys}


# --- the model file ----------------------------------------------------------------------------


def _schema_types(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        if "__module__" in node and "__class__" in node:
            found.add(f"{node['__module__']}.{node['__class__']}")
        for value in node.values():
            _schema_types(value, found)
    elif isinstance(node, list):
        for value in node:
            _schema_types(value, found)


def model_types(data: bytes) -> set[str]:
    """Return every type a skops model file names (read from its schema; nothing is loaded)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            schema = json.loads(archive.read("schema.json"))
    except (zipfile.BadZipFile, KeyError, ValueError):
        raise BundleError(f"{MODEL_FILE} is not a skops file") from None
    found: set[str] = set()
    _schema_types(schema, found)
    return found


def check_model_types(data: bytes) -> None:
    """Refuse a model file that names any type outside :data:`TRUSTED_MODEL_TYPES`."""
    untrusted = sorted(model_types(data) - set(TRUSTED_MODEL_TYPES))
    if untrusted:
        raise BundleError(
            f"{MODEL_FILE} holds types outside the trusted list: {', '.join(untrusted)}; "
            "refused before loading"
        )


def dump_model(model: Any) -> bytes:
    """Return a model as skops bytes, refusing one that holds an untrusted type."""
    import skops.io as sio

    data = sio.dumps(model)
    check_model_types(data)
    return data


def load_model(data: bytes) -> Any:
    """Load a model from skops bytes; a file naming an untrusted type is refused, unloaded."""
    import skops.io as sio

    check_model_types(data)
    untrusted = sio.get_untrusted_types(data=data)
    return sio.loads(data, trusted=[t for t in untrusted if t in TRUSTED_MODEL_TYPES])


# --- sealing and verifying --------------------------------------------------------------------


def write_json(bundle_dir: str | Path, name: str, value: Any) -> Path:
    """Write ``value`` as indented, key-sorted JSON into the bundle."""
    path = Path(bundle_dir) / name
    path.write_text(json.dumps(value, indent=2, sort_keys=True, default=str) + "\n")
    return path


def _read_folder(bundle_dir: Path) -> dict[str, bytes]:
    return {
        path.relative_to(bundle_dir).as_posix(): path.read_bytes()
        for path in sorted(bundle_dir.rglob("*"))
        if path.is_file()
    }


def seal(bundle_dir: str | Path, key: Ed25519PrivateKey, info: dict[str, Any]) -> dict[str, Any]:
    """Hash every file of the bundle, write the manifest and sign it; return the manifest.

    Args:
        bundle_dir: The folder holding the bundle's files.
        key: The exporter's private key.
        info: Descriptive fields stored in the (signed) manifest: model, version, exported_at...
    """
    bundle_dir = Path(bundle_dir)
    files = {
        name: data
        for name, data in _read_folder(bundle_dir).items()
        if name not in (MANIFEST, SIGNATURE)
    }
    manifest = {
        "format": FORMAT,
        "key_id": key_id(key),
        "files": {name: _sha256(data) for name, data in files.items()},
        **info,
    }
    data = (json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n").encode()
    (bundle_dir / MANIFEST).write_bytes(data)
    (bundle_dir / SIGNATURE).write_text(base64.b64encode(key.sign(data)).decode() + "\n")
    return manifest


@dataclass(frozen=True)
class VerifiedBundle:
    """A bundle whose signature and hashes held: the manifest and the very bytes checked."""

    manifest: dict[str, Any]
    files: Mapping[str, bytes]
    digest: str
    raw: Mapping[str, bytes]

    def json(self, name: str) -> Any:
        """Parse one of the bundle's JSON files (from the verified bytes)."""
        return json.loads(self.files[name])

    def model(self) -> Any:
        """Load the model from the verified bytes (trusted types only)."""
        return load_model(self.files[MODEL_FILE])

    def to_wire(self) -> dict[str, str]:
        """Every file's bytes as base64 text, to hand the bundle to another process as data."""
        return {name: base64.b64encode(data).decode() for name, data in self.raw.items()}


def from_wire(wire: Mapping[str, str]) -> dict[str, bytes]:
    """The inverse of :meth:`VerifiedBundle.to_wire`: file name → bytes."""
    return {name: base64.b64decode(text, validate=True) for name, text in wire.items()}


def verify_files(files: Mapping[str, bytes], keys: Any) -> VerifiedBundle:
    """Verify a bundle given as bytes (file name → content); return it, or raise BundleError.

    Args:
        files: Every file of the bundle, manifest and signature included.
        keys: The trusted public keys (``{key_id: key}``, one key, or a list).
    """
    keys = _as_key_set(keys)
    if MANIFEST not in files or SIGNATURE not in files:
        raise BundleError(f"bundle has no {MANIFEST} or no {SIGNATURE}")
    data = files[MANIFEST]
    try:
        manifest = json.loads(data)
        signed_with = manifest.get("key_id")
    except (ValueError, AttributeError):
        raise BundleError(f"bundle {MANIFEST} is not a JSON object") from None
    if manifest.get("format") != FORMAT:
        raise BundleError(f"unknown bundle format {manifest.get('format')!r}; expected {FORMAT}")
    key = keys.get(signed_with)
    if key is None:
        raise BundleError(
            f"bundle was signed by an untrusted key (key id {signed_with}); this side trusts "
            f"{', '.join(sorted(keys)) or 'no key'}"
        )
    try:
        key.verify(base64.b64decode(files[SIGNATURE].strip(), validate=True), data)
    except (InvalidSignature, ValueError, binascii.Error):
        raise BundleError(
            "bundle signature does not match its manifest: the manifest was changed after signing"
        ) from None
    listed = manifest.get("files") or {}
    present = {name for name in files if name not in (MANIFEST, SIGNATURE)}
    unlisted, missing = sorted(present - set(listed)), sorted(set(listed) - present)
    if unlisted or missing:
        raise BundleError(
            f"bundle files differ from its manifest: extra {unlisted}, missing {missing}"
        )
    changed = [name for name, digest in listed.items() if _sha256(files[name]) != digest]
    if changed:
        raise BundleError(
            f"bundle file hash mismatch (changed after signing): {', '.join(changed)}"
        )
    if MODEL_FILE in files:
        check_model_types(files[MODEL_FILE])
    return VerifiedBundle(
        manifest=manifest,
        files={name: files[name] for name in sorted(present)},
        digest=_sha256(data),
        raw=dict(files),
    )


def read_bundle(bundle_dir: str | Path, keys: Any) -> VerifiedBundle:
    """Read every file of a bundle folder once, verify those bytes, and return them."""
    bundle_dir = Path(bundle_dir)
    if not bundle_dir.is_dir():
        raise BundleError(f"no bundle at {bundle_dir}")
    return verify_files(_read_folder(bundle_dir), keys)


def verify_bundle(bundle_dir: str | Path, keys: Any) -> dict[str, Any]:
    """Verify a bundle folder with the trusted public keys; return its manifest."""
    return read_bundle(bundle_dir, keys).manifest


def bundle_digest(bundle_dir: str | Path) -> str:
    """Return the SHA-256 of a bundle's manifest: one value that names the whole bundle."""
    return file_sha256(Path(bundle_dir) / MANIFEST)


def read_json(bundle_dir: str | Path, name: str) -> Any:
    """Read one JSON file of a bundle folder for display (the importer uses verified bytes)."""
    return json.loads((Path(bundle_dir) / name).read_text())


def key_ids(keys: Iterable[Ed25519PublicKey]) -> list[str]:
    """Return the key ids of some public keys."""
    return [key_id(key) for key in keys]

"""The signed model bundle that crosses the staging → production boundary (no ZenML here).

A bundle is a folder of plain files plus ``manifest.json``, which lists the SHA-256 of every
other file, and ``manifest.sig``, an HMAC-SHA256 of the manifest's exact bytes with a key both
sides hold. :func:`verify_bundle` checks the signature first, then that the files on disk are
exactly the files listed, each with its listed hash. So:

- one changed byte in any file → its hash no longer matches → refused;
- a manifest rewritten with fresh hashes → the signature no longer matches → refused;
- no key, or another key → refused.

Nothing in a bundle is read as data (and the model is never unpickled) before it verifies.

The key comes from ``KIT_BUNDLE_SIGNING_KEY`` (CI puts a repository secret there); for local
use, :func:`signing_key` can generate one into the git-ignored secrets folder. A key is never
written into a bundle: the manifest carries only a short key id derived from it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

from governance.secret_files import secrets_dir, write_secret

FORMAT = "kit-model-bundle/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
KEY_ENV_VAR = "KIT_BUNDLE_SIGNING_KEY"
KEY_FILE_NAME = "bundle-signing-key"
MIN_KEY_BYTES = 16


class BundleError(RuntimeError):
    """A bundle was refused: missing or wrong key, bad signature, changed or unlisted files."""


def file_sha256(path: str | Path) -> str:
    """Return the hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def key_file(state_dir: str | Path) -> Path:
    """Where a locally generated signing key is kept (git-ignored, mode 0600)."""
    return Path(state_dir).expanduser().resolve() / "secrets" / KEY_FILE_NAME


def signing_key(state_dir: str | Path | None = None, create: bool = False) -> bytes:
    """Return the signing key: ``KIT_BUNDLE_SIGNING_KEY``, else the local key file.

    Args:
        state_dir: The kit's state folder, where a local key file lives.
        create: Generate the local key file if there is none (never when the env var is set).

    Raises:
        BundleError: No key configured (and ``create`` is False), or a key that is too short.
    """
    value = os.environ.get(KEY_ENV_VAR, "").strip()
    if not value and state_dir is not None:
        path = key_file(state_dir)
        if not path.is_file() and create:
            secrets_dir(path.parent.parent)
            write_secret(path, secrets.token_hex(32))
        if path.is_file():
            value = path.read_text().strip()
    if not value:
        raise BundleError(
            f"no bundle signing key: set {KEY_ENV_VAR} (both sides need the same key)"
        )
    key = value.encode()
    if len(key) < MIN_KEY_BYTES:
        raise BundleError(f"the bundle signing key is too short (at least {MIN_KEY_BYTES} bytes)")
    return key


def key_id(key: bytes) -> str:
    """Return a short, non-secret identifier of a key (to tell keys apart in errors)."""
    return hashlib.sha256(b"kit-bundle-key-id\x00" + key).hexdigest()[:12]


def _sign(data: bytes, key: bytes) -> str:
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def _listed_files(bundle_dir: Path) -> list[str]:
    names = []
    for path in sorted(bundle_dir.rglob("*")):
        if path.is_file() and path.name not in (MANIFEST, SIGNATURE):
            names.append(path.relative_to(bundle_dir).as_posix())
    return names


def write_json(bundle_dir: str | Path, name: str, value: Any) -> Path:
    """Write ``value`` as indented, key-sorted JSON into the bundle."""
    path = Path(bundle_dir) / name
    path.write_text(json.dumps(value, indent=2, sort_keys=True, default=str) + "\n")
    return path


def seal(bundle_dir: str | Path, key: bytes, info: dict[str, Any]) -> dict[str, Any]:
    """Hash every file of the bundle, write the manifest and sign it; return the manifest.

    Args:
        bundle_dir: The folder holding the bundle's files.
        key: The signing key.
        info: Descriptive fields stored in the manifest (model, version, source...).
    """
    bundle_dir = Path(bundle_dir)
    manifest = {
        "format": FORMAT,
        "key_id": key_id(key),
        "files": {name: file_sha256(bundle_dir / name) for name in _listed_files(bundle_dir)},
        **info,
    }
    data = (json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n").encode()
    (bundle_dir / MANIFEST).write_bytes(data)
    (bundle_dir / SIGNATURE).write_text(_sign(data, key) + "\n")
    return manifest


def verify_bundle(bundle_dir: str | Path, key: bytes) -> dict[str, Any]:
    """Verify the signature and every file hash; return the manifest, or raise BundleError.

    This reads bytes only: nothing in the bundle is interpreted before it passes.
    """
    bundle_dir = Path(bundle_dir)
    if not bundle_dir.is_dir():
        raise BundleError(f"no bundle at {bundle_dir}")
    manifest_path, signature_path = bundle_dir / MANIFEST, bundle_dir / SIGNATURE
    if not manifest_path.is_file() or not signature_path.is_file():
        raise BundleError(f"bundle {bundle_dir.name} has no {MANIFEST} or no {SIGNATURE}")
    data = manifest_path.read_bytes()
    expected = _sign(data, key)
    given = signature_path.read_text().strip()
    if not hmac.compare_digest(expected, given):
        try:
            signed_with = json.loads(data).get("key_id")
        except ValueError:
            signed_with = None
        if signed_with and signed_with != key_id(key):
            raise BundleError(
                f"bundle signature does not match: it was signed with another key "
                f"(key id {signed_with}, this side holds {key_id(key)})"
            )
        raise BundleError(
            "bundle signature does not match its manifest: the manifest was changed after signing"
        )
    manifest = json.loads(data)
    if manifest.get("format") != FORMAT:
        raise BundleError(f"unknown bundle format {manifest.get('format')!r}; expected {FORMAT}")
    listed = manifest.get("files") or {}
    present = set(_listed_files(bundle_dir))
    unlisted = sorted(present - set(listed))
    missing = sorted(set(listed) - present)
    if unlisted or missing:
        raise BundleError(
            f"bundle files differ from its manifest: extra {unlisted}, missing {missing}"
        )
    changed = [name for name, digest in listed.items() if file_sha256(bundle_dir / name) != digest]
    if changed:
        raise BundleError(
            f"bundle file hash mismatch (changed after signing): {', '.join(changed)}"
        )
    return manifest


def bundle_digest(bundle_dir: str | Path) -> str:
    """Return the SHA-256 of a bundle's manifest: one value that names the whole bundle."""
    return file_sha256(Path(bundle_dir) / MANIFEST)


def read_json(bundle_dir: str | Path, name: str) -> Any:
    """Read one JSON file of a bundle (call :func:`verify_bundle` first)."""
    return json.loads((Path(bundle_dir) / name).read_text())

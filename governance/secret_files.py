"""Secrets kept in files: a folder of mode 0700, files of mode 0600, never printed."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def secrets_dir(state_dir: str | Path) -> Path:
    """The git-ignored folder holding generated secrets (mode 0700)."""
    path = Path(state_dir).expanduser().resolve() / "secrets"
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def write_secret(path: str | Path, value: str) -> Path:
    """Write ``value`` to ``path`` with mode 0600, replacing any previous value."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(value)
    return path


def read_or_create_secret(path: str | Path, nbytes: int = 32) -> str:
    """Return the secret stored at ``path``, generating it (mode 0600) on first use."""
    path = Path(path)
    if path.is_file():
        return path.read_text().strip()
    value = secrets.token_urlsafe(nbytes)
    write_secret(path, value)
    return value

"""Where a run came from: the git commit of the code that ran."""

from __future__ import annotations

import subprocess

from lib.config import PROJECT_ROOT


def git_commit() -> str:
    """Return the kit's git commit (``-dirty`` with local changes), else ``unknown``."""
    try:
        sha = _git("rev-parse", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{sha}-dirty" if dirty else sha


def _git(*args: str) -> str:
    result = subprocess.run(
        ["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True, timeout=10
    )
    return result.stdout.strip()

"""Shared helpers of the release tests (imported by the tests and their conftest)."""

from __future__ import annotations

import os
import subprocess
import sys

from lib.config import PROJECT_ROOT

MODEL = "breast_cancer_classifier_rel"


def run_script(name: str, *args: str, env: dict | None = None, timeout: int = 300):
    """Run ``scripts/<name>`` with this process's environment (plus ``env``)."""
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / name), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )

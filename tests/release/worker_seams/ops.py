"""Test-only worker operations: who am I, hold until released, fail, refuse, echo.

The worker tests add these to :data:`governance.release.worker.OPERATIONS` and put this
folder's parent on the worker's ``PYTHONPATH``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def whoami() -> dict:
    """The worker's pid and the store its environment binds it to."""
    return {"pid": os.getpid(), "config": os.environ.get("ZENML_CONFIG_PATH", "")}


def hold(pause_file: str, limit: float = 120.0) -> int:
    """Write this pid to ``pause_file`` and wait while it exists (a test kills us meanwhile)."""
    print(f"holding in pid {os.getpid()}", file=sys.stderr, flush=True)
    path = Path(pause_file)
    path.write_text(str(os.getpid()))
    deadline = time.monotonic() + limit
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return os.getpid()


def fail(message: str) -> None:
    raise LookupError(message)


def refuse(message: str) -> None:
    from governance.release.errors import StaleBundleError

    raise StaleBundleError(message)


def echo(payload: str) -> dict:
    return {"payload": payload, "length": len(payload)}

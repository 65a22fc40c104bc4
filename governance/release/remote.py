"""Start a side's worker process and return its result (one subprocess per side)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from typing import Any

from governance import servers
from governance.release.endpoints import CLIENT_VARIABLES, Endpoint
from governance.release.errors import SideError, UnreachableError
from governance.release.worker import ERROR_MARK, RESULT_MARK

DEFAULT_TIMEOUT_SECONDS = 600.0


def worker_environment(target: Endpoint, extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment with the ZenML client variables replaced by ``target``'s.

    ``ZENML_REPOSITORY_PATH`` is dropped: a worker runs no pipeline, and without a repository
    its active stack comes from the side's own configuration (or ``ZENML_ACTIVE_STACK_ID``).
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in CLIENT_VARIABLES and k != "ZENML_REPOSITORY_PATH"
    }
    env.update(
        {
            "ZENML_ANALYTICS_OPT_IN": "false",
            "ZENML_ENABLE_RICH_TRACEBACK": "false",
            "ZENML_LOGGING_COLORS_DISABLED": "true",
            "ZENML_AUTO_OPEN_DASHBOARD": "false",
        }
    )
    env.update(target.environment())
    env.update(extra or {})
    return env


def check_reachable(target: Endpoint, timeout: float = 3.0) -> None:
    """Raise :class:`UnreachableError` if ``target`` is a server that does not answer."""
    if target.is_server and not servers.is_healthy(target.location, timeout=timeout):
        raise UnreachableError(f"{target.label} server {target.location} is unreachable")


def run_on(
    target: Endpoint,
    operation: str,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    extra_env: dict[str, str] | None = None,
    **arguments: Any,
) -> Any:
    """Run ``operation`` with ``arguments`` in a process bound to ``target``; return its result.

    Raises:
        UnreachableError: ``target`` is a server that does not answer.
        SideError: the operation failed there; ``kind`` names the original error type.
    """
    check_reachable(target)
    if not target.is_server:
        os.makedirs(target.location, exist_ok=True)
    workdir = target.location if not target.is_server else target.client_dir
    os.makedirs(workdir or tempfile.gettempdir(), exist_ok=True)
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "governance.release.worker", operation],
            input=json.dumps(arguments, default=str),
            capture_output=True,
            text=True,
            env=worker_environment(target, extra_env),
            cwd=workdir or tempfile.gettempdir(),
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as error:
        raise SideError(
            "TimeoutExpired", f"{operation} on {target.label} took over {timeout:.0f} s"
        ) from error
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(RESULT_MARK):
            return json.loads(line[len(RESULT_MARK) :])
        if line.startswith(ERROR_MARK):
            error = json.loads(line[len(ERROR_MARK) :])
            if target.is_server and not servers.is_healthy(target.location):
                raise UnreachableError(
                    f"{target.label} server {target.location} stopped answering during "
                    f"{operation}; rerun it once the server is back"
                )
            raise SideError(error["type"], f"{target.label}: {error['message']}")
    tail = (completed.stderr or completed.stdout)[-800:]
    raise SideError(
        "WorkerCrashed", f"{operation} on {target.label} ended without a result: {tail}"
    )

"""Is a process alive, does a service answer ``/health``: the checks every side's caller makes."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable

import psutil


def pid_alive(pid: int) -> bool:
    """Return True if a process with ``pid`` exists and is not a zombie."""
    if pid <= 0:
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True


def is_healthy(url: str, timeout: float = 2.0) -> bool:
    """Return True if ``<url>/health`` answers 200 within ``timeout`` seconds."""
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/health", timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def wait_healthy(
    url: str,
    timeout: float,
    still_starting: Callable[[], bool] = lambda: True,
    interval: float = 0.5,
) -> None:
    """Poll ``<url>/health`` until it answers 200.

    Raises:
        RuntimeError: ``still_starting()`` turned False (the process exited) before an answer.
        TimeoutError: no answer within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while not is_healthy(url):
        if not still_starting():
            raise RuntimeError(f"{url} exited before answering /health")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer /health within {timeout:.0f} s")
        time.sleep(interval)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]

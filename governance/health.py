"""Is a process alive, does a service answer ``/health``: the checks every side's caller makes."""

from __future__ import annotations

import fcntl
import http.client
import os
import socket
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

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
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException):
        # HTTPException: something that is not an HTTP service holds the port (a database)
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


PORT_RESERVATIONS = Path(tempfile.gettempdir()) / f"kit-ports-{os.getuid()}"
"""Ports :func:`free_port` handed out, one empty file each, shared by this user's processes."""
RESERVATION_SECONDS = 3600.0


def reserve_port(port: int, folder: Path = PORT_RESERVATIONS) -> bool:
    """Claim ``port`` for this user's kit processes; False if another claimed it lately.

    A claim is the file ``folder/<port>``; one older than :data:`RESERVATION_SECONDS` is taken
    over. Claims are checked and made under a lock on ``folder/.lock``, so two processes cannot
    both win a port, a stale one included.
    """
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / str(port)
    with open(folder / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if marker.exists() and time.time() - marker.stat().st_mtime < RESERVATION_SECONDS:
            return False
        marker.touch()  # a stale claim's file gets the time of now
        return True


def free_port(folder: Path = PORT_RESERVATIONS) -> int:
    """A TCP port on 127.0.0.1 that is free now and that no kit process here claimed lately.

    The port is free only until someone binds it. Between choosing a port and starting a
    service on it, another process may have been handed the same one: parallel tests did, and a
    server then found a MariaDB on its port. So every port handed out is claimed first
    (:func:`reserve_port`), and one claimed in the last hour is not handed out again.
    """
    for _ in range(100):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if reserve_port(port, folder):
            return port
    raise RuntimeError(f"no unclaimed free port after 100 tries; claims are in {folder}")

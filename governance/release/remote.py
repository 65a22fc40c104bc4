"""Run release operations in a worker process bound to one side (one worker per side).

The ZenML ``Client`` is a process-wide singleton, so each side's operations run in a process of
their own (:mod:`governance.release.worker`). A worker is started on the first :func:`run_on`
for a side and kept for the life of this process: ZenML is imported and the client connected
once per side, not once per operation. Workers are keyed by what binds them (the side's
client variables, the ``KIT_``/``ZENML_``/``PYTHON`` variables, the working folder), so a
changed policy path or store gets a new worker. They stop when this process exits
(``atexit``; a worker also stops by itself when its stdin closes, so a killed kernel leaves
none behind) or on :func:`close_all`.

On Linux a worker is forked from a fork server that has imported ZenML once
(:mod:`governance.release.forkserver`), instead of starting and importing ZenML itself.

A worker runs in a session of its own, so signals meant for its parent's process group do not
reach it mid-operation; it is stopped by its parent. A Jupyter kernel that is asked to shut
down signals every child in its group and waits up to 29 s for them to be gone, which a killed
but not yet reaped worker never is: the kernel then ends only when its manager kills it, before
its ``atexit`` stop has run.

A worker that dies mid-operation raises :class:`SideError` of kind ``WorkerCrashed`` naming the
side, the operation, the exit code or signal and the end of its stderr; the next call starts a
new worker. A worker whose operation failed for another reason than one of the kit's refusals
(:func:`governance.release.worker.is_refusal`) is stopped too, so no half-done state carries
over; a refused operation keeps its worker, which spares the next call a ZenML start-up.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import IO, Any

from governance import servers
from governance.release import forkserver
from governance.release.endpoints import CLIENT_VARIABLES, Endpoint
from governance.release.errors import SideError, UnreachableError
from governance.release.worker import call_of

DEFAULT_TIMEOUT_SECONDS = 600.0
STDERR_TAIL_CHARS = 1500
STOP_GRACE_SECONDS = 5.0


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


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name} (exit code {code})"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


@dataclass
class Worker:
    """One running worker process: its pipes, its stderr log and who it works for."""

    label: str
    process: subprocess.Popen | forkserver.ForkedProcess
    log: IO[bytes]
    started: float = field(default_factory=time.monotonic)
    _pending: bytes = b""

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def stderr_tail(self, chars: int = STDERR_TAIL_CHARS) -> str:
        """The last ``chars`` characters the worker wrote to stderr."""
        try:
            self.log.flush()
            size = self.log.seek(0, os.SEEK_END)
            self.log.seek(max(0, size - chars * 4))
            return self.log.read().decode("utf-8", "replace")[-chars:].strip()
        except (OSError, ValueError):
            return ""

    def send(self, request: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(request, default=str).encode() + b"\n")
        self.process.stdin.flush()

    def receive(self, deadline: float) -> dict[str, Any] | None:
        """The next answer, or ``None`` if the worker ended first; raises ``TimeoutError``."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        chunks = [self._pending]
        while b"\n" not in chunks[-1]:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], min(remaining, 1.0))
            if not ready:
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return None
            chunks.append(chunk)
        line, _, self._pending = b"".join(chunks).partition(b"\n")
        return json.loads(line)

    def stop(self, kill: bool = False, wait: bool = True) -> None:
        """Close stdin (the worker exits by itself), then kill it if it does not."""
        if kill and self.alive():
            self.process.kill()
        try:
            if self.process.stdin:
                self.process.stdin.close()
        except OSError:
            pass
        if not wait:
            return
        try:
            self.process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdout, self.log):
            try:
                stream.close()
            except (OSError, AttributeError):
                pass


_lock = threading.Lock()
_idle: dict[tuple, list[Worker]] = {}
_busy: set[int] = set()
_all: dict[int, Worker] = {}


KEY_PREFIXES: tuple[str, ...] = ("KIT_", "ZENML_", "PYTHON")
"""Variables that can change what a worker does; a change in any of them gets a new worker.

Other variables are not part of a worker's identity: libraries set some as they load
(ZenML sets ``TF_CPP_MIN_LOG_LEVEL`` on first use), which must not cost a new worker per call.
"""


def _key(env: dict[str, str], cwd: str) -> tuple:
    binding = {k: v for k, v in env.items() if k.startswith(KEY_PREFIXES)}
    return (sys.executable, cwd, tuple(sorted(binding.items())))


def _start(
    env: dict[str, str], cwd: str, log: IO[bytes]
) -> subprocess.Popen | forkserver.ForkedProcess:
    """Fork the worker from a fork server where there is one, else start it as a process."""
    if forkserver.available():
        try:
            return forkserver.spawn(env, cwd, log, CLIENT_VARIABLES)
        except (forkserver.ForkServerError, OSError):
            pass  # the fork server is stopped; this worker starts on its own, the next forks
    return subprocess.Popen(
        [sys.executable, "-m", "governance.release.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        env=env,
        cwd=cwd,
        start_new_session=True,
    )


def _spawn(label: str, env: dict[str, str], cwd: str) -> Worker:
    log = tempfile.TemporaryFile()
    worker = Worker(label, _start(env, cwd, log), log)
    _all[worker.pid] = worker
    return worker


def _workdir(target: Endpoint) -> str:
    if not target.is_server:
        os.makedirs(target.location, exist_ok=True)
    workdir = (target.location if not target.is_server else target.client_dir) or (
        tempfile.gettempdir()
    )
    os.makedirs(workdir, exist_ok=True)
    return workdir


def _checkout(target: Endpoint, extra_env: dict[str, str] | None) -> tuple[tuple, Worker]:
    """An idle worker for ``target`` (a new one if none is idle: concurrent calls each get one)."""
    env = worker_environment(target, extra_env)
    cwd = _workdir(target)
    key = _key(env, cwd)
    with _lock:
        idle = _idle.setdefault(key, [])
        while idle:
            worker = idle.pop()
            if worker.alive():
                break
            _discard(worker)
        else:
            worker = _spawn(target.label, env, cwd)
        _busy.add(worker.pid)
    return key, worker


def _checkin(key: tuple, worker: Worker) -> None:
    with _lock:
        _busy.discard(worker.pid)
        _idle.setdefault(key, []).append(worker)


def _discard(worker: Worker, kill: bool = False) -> None:
    _busy.discard(worker.pid)
    _all.pop(worker.pid, None)
    worker.stop(kill=kill)


def start(target: Endpoint, extra_env: dict[str, str] | None = None) -> int:
    """Start ``target``'s worker now, if none is idle, so its set-up overlaps other work.

    Returns the worker's pid. The worker imports ZenML and connects while this process goes on;
    the next :func:`run_on` for ``target`` uses it.
    """
    check_reachable(target)
    key, worker = _checkout(target, extra_env)
    _checkin(key, worker)
    return worker.pid


def run_on(
    target: Endpoint,
    operation: str,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    extra_env: dict[str, str] | None = None,
    **arguments: Any,
) -> Any:
    """Run ``operation`` with ``arguments`` in ``target``'s worker; return its result.

    Arguments and the result travel as JSON (values JSON cannot hold are sent as ``str``).

    Raises:
        UnreachableError: ``target`` is a server that does not answer (before or during).
        SideError: the operation failed there (``kind`` names the original error type), the
            worker died (``WorkerCrashed``) or took longer than ``timeout`` (``TimeoutExpired``).
    """
    call = call_of(operation)
    check_reachable(target)
    key, worker = _checkout(target, extra_env)
    request = {"operation": operation, "call": call, "arguments": arguments}
    try:
        worker.send(request)
        reply = worker.receive(time.monotonic() + timeout)
    except TimeoutError:
        with _lock:
            _discard(worker, kill=True)
        raise SideError(
            "TimeoutExpired", f"{operation} on {target.label} took over {timeout:.0f} s"
        ) from None
    except (BrokenPipeError, ConnectionResetError, ValueError, OSError):
        reply = None
    if reply is None:
        try:
            code = worker.process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            code = None
        tail = worker.stderr_tail()
        with _lock:
            _discard(worker)
        raise SideError(
            "WorkerCrashed",
            f"the {target.label} worker (pid {worker.pid}) died during {operation}: "
            f"{_describe_exit(code)}; the next call starts a new worker. "
            f"Its last output:\n{tail or '(nothing)'}",
        )
    if reply.get("ok"):
        _checkin(key, worker)
        return reply.get("result")
    if reply.get("refusal"):
        _checkin(key, worker)
    else:
        with _lock:
            _discard(worker)
    if target.is_server and not servers.is_healthy(target.location):
        raise UnreachableError(
            f"{target.label} server {target.location} stopped answering during "
            f"{operation}; rerun it once the server is back"
        )
    raise SideError(reply.get("type", "Error"), f"{target.label}: {reply.get('message', '')}")


def running() -> list[int]:
    """The pids of this process's workers that are still running."""
    with _lock:
        return [pid for pid, worker in _all.items() if worker.alive()]


def close_all() -> None:
    """Stop every worker this process started (called at exit)."""
    with _lock:
        workers = list(_all.values())
        _all.clear()
        _idle.clear()
        _busy.clear()
    for worker in workers:
        worker.stop(wait=False)
    for worker in workers:
        worker.stop()


atexit.register(close_all)

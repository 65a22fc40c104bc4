"""A process that imports ZenML once and forks each release worker from there (Linux).

    python -m governance.release.forkserver FD     # started by ForkServer, never by hand

A release worker spends most of its start-up importing ZenML and its SQL store (2-3 s of CPU
on a 2-core machine); a chapter or a script that uses both sides, or a test session that makes
dozens of stores, pays that for every worker. The fork server pays it once per calling process:
it imports :data:`PRELOAD`, connects to no store, and forks a worker on request. The child takes
the worker's environment and folder, its own session, and the pipes the caller passed, then
runs :func:`governance.release.worker.main` as a spawned worker would. Its ZenML client is set
up after the fork, from its own variables, so each worker is still bound to one side.

What the fork server itself holds: the caller's environment without the ZenML client variables
(store URLs, API keys, passwords) and without ``KIT_`` variables (a signing key, a policy
path). A worker's variables reach it in the request, over a socket only the two processes
share, and live on only in that worker.

Protocol on a ``SOCK_SEQPACKET`` socket pair (one message each way per request, as JSON):
``{"env": {...}, "cwd": DIR}`` with three file descriptors (the worker's stdin, stdout and
stderr) answered by ``{"pid": PID}``; ``{"reap": PID}`` answered by ``{"code": CODE}`` once that
worker has ended (its exit code, or minus the signal that killed it). The fork server keeps
an ended worker as a zombie until it is reaped, so its pid is not reused while the caller
still watches it (through a pidfd). It exits when the caller's end of the socket closes.
"""

from __future__ import annotations

import atexit
import importlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import traceback
from typing import IO

PRELOAD: tuple[str, ...] = (
    "zenml.client",
    "zenml.zen_stores.sql_zen_store",
    "zenml.zen_stores.rest_zen_store",
    "governance.release.worker",
)
"""Modules imported before the first fork. Importing them reads ``ZENML_`` variables only."""

DISABLE_ENV_VAR = "KIT_NO_FORKSERVER"
"""Set to ``1`` to start every worker as a process of its own, as on other systems."""

MESSAGE_BYTES = 1 << 20
START_TIMEOUT_SECONDS = 120.0
UNKNOWN_EXIT = 255
"""The exit code reported when the fork server that could tell a worker's real one is gone."""


def available() -> bool:
    """True where workers are forked: Linux (fork, pidfds, ``SOCK_SEQPACKET``), not disabled."""
    return (
        sys.platform == "linux"
        and hasattr(os, "pidfd_open")
        and os.environ.get(DISABLE_ENV_VAR, "").strip() not in ("1", "true", "yes")
    )


def server_environment(env: dict[str, str], client_variables: tuple[str, ...]) -> dict[str, str]:
    """The fork server's environment: ``env`` without client variables or ``KIT_`` variables."""
    return {k: v for k, v in env.items() if k not in client_variables and not k.startswith("KIT_")}


def server_key(kept: dict[str, str]) -> tuple:
    """What a fork server's imports depend on: the interpreter and its ``ZENML_``/``PYTHON`` vars.

    ``kept`` is the fork server's environment (:func:`server_environment`). Workers whose
    environments agree on these share a fork server; the rest of a worker's environment is set
    in the worker after the fork.
    """
    return (
        sys.executable,
        tuple(sorted((k, v) for k, v in kept.items() if k.startswith(("ZENML_", "PYTHON")))),
    )


# -- the caller's side -------------------------------------------------------------------


class ForkServerError(RuntimeError):
    """The fork server did not answer; the caller starts its worker as a process of its own."""


class ForkedProcess:
    """A worker forked by a :class:`ForkServer`, with the parts of ``subprocess.Popen`` used."""

    def __init__(self, pid: int, server: ForkServer, stdin: IO[bytes], stdout: IO[bytes]):
        self.pid = pid
        self.stdin = stdin
        self.stdout = stdout
        self.returncode: int | None = None
        self._server = server
        self._pidfd = os.pidfd_open(pid)

    def _ended(self, timeout: float | None) -> bool:
        ready, _, _ = select.select([self._pidfd], [], [], timeout)
        return bool(ready)

    def _collect(self) -> None:
        self.returncode = self._server.reap(self.pid)
        os.close(self._pidfd)

    def poll(self) -> int | None:
        if self.returncode is None and self._ended(0):
            self._collect()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if not self._ended(timeout):
                raise subprocess.TimeoutExpired(f"release worker {self.pid}", timeout or 0)
            self._collect()
        return self.returncode  # type: ignore[return-value]

    def kill(self) -> None:
        if self.returncode is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


class ForkServer:
    """A running fork server and the caller's end of its socket."""

    def __init__(self, env: dict[str, str], cwd: str):
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "governance.release.forkserver", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,  # signals to the caller's process group do not reach it
        )
        theirs.close()
        mine.settimeout(START_TIMEOUT_SECONDS)
        self._socket = mine
        self._lock = threading.Lock()

    def alive(self) -> bool:
        return self.process.poll() is None

    def _ask(self, message: dict, fds: list[int] | None = None) -> dict:
        with self._lock:
            try:
                socket.send_fds(self._socket, [json.dumps(message).encode()], fds or [])
                data = self._socket.recv(MESSAGE_BYTES)
            except OSError as error:  # a timeout too
                raise ForkServerError(f"fork server {self.process.pid}: {error}") from error
        if not data:
            raise ForkServerError(f"fork server {self.process.pid} has ended")
        return json.loads(data)

    def spawn(self, env: dict[str, str], cwd: str, stderr: IO[bytes]) -> ForkedProcess:
        """Fork a worker with ``env`` in ``cwd``, its stderr going to ``stderr``."""
        stdin_read, stdin_write = os.pipe()
        stdout_read, stdout_write = os.pipe()
        try:
            try:
                message = {"env": env, "cwd": cwd}
                reply = self._ask(message, [stdin_read, stdout_write, stderr.fileno()])
            finally:  # the worker holds its own copies now: its pipes end when it does
                os.close(stdin_read)
                os.close(stdout_write)
            if "pid" not in reply:
                raise ForkServerError(f"fork server could not start a worker: {reply.get('error')}")
        except Exception:
            os.close(stdin_write)
            os.close(stdout_read)
            raise
        return ForkedProcess(
            int(reply["pid"]), self, os.fdopen(stdin_write, "wb"), os.fdopen(stdout_read, "rb")
        )

    def reap(self, pid: int) -> int:
        """The exit code of an ended worker (minus its signal), once; :data:`UNKNOWN_EXIT` if
        the fork server is gone (the system reaped the worker then)."""
        try:
            return int(self._ask({"reap": pid}).get("code", UNKNOWN_EXIT))
        except ForkServerError:
            return UNKNOWN_EXIT

    def stop(self) -> None:
        """Close the socket (the fork server exits on its own), then wait for it."""
        try:
            self._socket.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


_servers: dict[tuple, ForkServer] = {}
_servers_lock = threading.Lock()


def spawn(
    env: dict[str, str], cwd: str, stderr: IO[bytes], client_variables: tuple[str, ...]
) -> ForkedProcess:
    """Fork a worker from this process's fork server for ``env`` (started if none runs).

    Raises :class:`ForkServerError` if the fork server does not answer; it is stopped, and the
    next call starts a new one.
    """
    kept = server_environment(env, client_variables)
    key = server_key(kept)
    with _servers_lock:
        server = _servers.get(key)
        if server is None or not server.alive():
            if server is not None:
                server.stop()
            server = ForkServer(kept, cwd)
            _servers[key] = server
    try:
        return server.spawn(env, cwd, stderr)
    except ForkServerError:
        with _servers_lock:
            if _servers.get(key) is server:
                del _servers[key]
        server.stop()
        raise


def running() -> list[int]:
    """The pids of this process's fork servers that are still running."""
    with _servers_lock:
        return [s.process.pid for s in _servers.values() if s.alive()]


def stop_all() -> None:
    """Stop every fork server this process started (workers already forked keep running).

    Registered at exit, after :func:`governance.release.remote.close_all` (which stops the
    workers and keeps the fork servers for the next ones). A fork server also ends by itself
    when its caller does: its end of the socket closes.
    """
    with _servers_lock:
        stopping = list(_servers.values())
        _servers.clear()
    for server in stopping:
        server.stop()


atexit.register(stop_all)  # imported before remote registers close_all, so it runs after it


# -- the fork server's side ---------------------------------------------------------------


def _become_worker(request: dict, fds: list[int], control: socket.socket) -> None:
    """In the forked child: take the worker's pipes, session, variables and folder; serve."""
    code = 1
    try:
        control.close()
        os.setsid()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        from governance.release import worker

        code = worker.main()
        worker.end(code)
    except BaseException:  # noqa: BLE001 - reported on the worker's stderr, then exit
        traceback.print_exc()
    finally:
        os._exit(code)  # never back into the fork server's loop


def _serve(control: socket.socket) -> None:
    """Answer requests until the caller's end closes."""
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(control, MESSAGE_BYTES, 3)
        except InterruptedError:
            continue
        if not data:
            return
        request = json.loads(data)
        if "reap" in request:
            for fd in fds:
                os.close(fd)
            try:
                _, status = os.waitpid(int(request["reap"]), 0)
                reply = {"code": os.waitstatus_to_exitcode(status)}
            except ChildProcessError:
                reply = {"code": UNKNOWN_EXIT}
        else:
            sys.stdout.flush()
            sys.stderr.flush()
            try:
                pid = os.fork()
            except OSError as error:
                pid, reply = -1, {"error": str(error)}
            if pid == 0:
                _become_worker(request, fds, control)
            for fd in fds:
                os.close(fd)
            if pid > 0:
                reply = {"pid": pid}
        control.sendall(json.dumps(reply).encode())


def main(argv: list[str]) -> int:
    control = socket.socket(fileno=int(argv[0]))
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a worker imports what it needs again, and reports
            traceback.print_exc()
    from zenml.config.global_config import GlobalConfiguration

    if GlobalConfiguration.get_instance() is not None:  # a worker must set up its own client
        print("fork server: ZenML configured itself on import; not forking", file=sys.stderr)
        return 1
    _serve(control)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

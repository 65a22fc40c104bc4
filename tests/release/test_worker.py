"""Release workers: one long-lived process per side, crashes reported, the next call recovers.

Real worker processes on temporary embedded stores. The operations that hold, fail or echo
are test-only (``worker_seams/ops.py``), added to ``OPERATIONS`` and put on the worker's
``PYTHONPATH``; the worker, its protocol and its registry are the kit's own.
"""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from governance.release import forkserver, remote
from governance.release.endpoints import CLIENT_VARIABLES, Endpoint
from governance.release.errors import SideError
from governance.release.worker import OPERATIONS

SEAMS = {
    "whoami": "worker_seams.ops:whoami",
    "hold": "worker_seams.ops:hold",
    "fail": "worker_seams.ops:fail",
    "refuse": "worker_seams.ops:refuse",
    "echo": "worker_seams.ops:echo",
}
SEAM_ENV = {"PYTHONPATH": str(Path(__file__).resolve().parent)}


@pytest.fixture(autouse=True)
def no_workers_before():
    """Each test starts with no release worker in this process (fork servers may run).

    Tests that ran before on the same pytest worker (a promotion, an import) leave their side's
    worker running, as a chapter does; the assertions here count this test's workers only.
    """
    remote.close_all()


@pytest.fixture
def seams(monkeypatch):
    for name, call in SEAMS.items():
        monkeypatch.setitem(OPERATIONS, name, call)
    yield
    remote.close_all()


def _side(tmp_path: Path, label: str = "production") -> Endpoint:
    return Endpoint(label, str(tmp_path / f"{label}-store"))


def _run(side: Endpoint, operation: str, **arguments):
    return remote.run_on(side, operation, extra_env=SEAM_ENV, **arguments)


def _gone(pid: int, within: float = 15.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.pipeline
def test_one_worker_serves_every_operation_of_a_side(seams, tmp_path):
    production = _side(tmp_path)
    pids = {_run(production, "whoami")["pid"] for _ in range(3)}
    store = _run(production, "describe_store")
    assert len(pids) == 1
    assert remote.running() == list(pids)
    assert str(tmp_path / "production-store") in store["url"]


@pytest.mark.pipeline
def test_each_side_has_its_own_worker_bound_to_its_own_store(seams, tmp_path):
    staging, production = _side(tmp_path, "dev-staging"), _side(tmp_path, "production")
    first, second = _run(staging, "whoami"), _run(production, "whoami")
    assert first["pid"] != second["pid"]
    assert first["config"] == staging.location and second["config"] == production.location
    assert sorted(remote.running()) == sorted([first["pid"], second["pid"]])


def _parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _environment_of(pid: int) -> dict[str, str]:
    pairs = Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0")
    return dict(pair.split("=", 1) for pair in pairs if "=" in pair)


needs_fork = pytest.mark.skipif(not forkserver.available(), reason="workers are forked on Linux")


@needs_fork
@pytest.mark.pipeline
def test_both_sides_fork_from_one_server_that_holds_neither_sides_variables(
    seams, tmp_path, monkeypatch
):
    monkeypatch.setenv("KIT_SIGNING_KEY_PATH", str(tmp_path / "key"))  # a KIT_ variable
    staging, production = _side(tmp_path, "dev-staging"), _side(tmp_path, "production")
    first, second = _run(staging, "whoami"), _run(production, "whoami")
    server = _parent_of(first["pid"])
    assert server in forkserver.running() and _parent_of(second["pid"]) == server
    assert os.getsid(first["pid"]) == first["pid"]  # a session of its own, as a spawned one
    # each worker's ZenML client is set up after the fork, from its own variables
    assert str(tmp_path / "dev-staging-store") in _run(staging, "describe_store")["url"]
    assert str(tmp_path / "production-store") in _run(production, "describe_store")["url"]
    assert first["config"] == staging.location and second["config"] == production.location
    # what /proc shows of a forked worker is its server's start-up environment, and that has
    # no side's variables: store URLs and API keys travel in the request only
    for pid in (server, second["pid"]):
        held = _environment_of(pid)
        assert not [name for name in held if name in CLIENT_VARIABLES or name.startswith("KIT_")]


@needs_fork
@pytest.mark.pipeline
def test_a_killed_fork_server_is_replaced_and_its_workers_keep_serving(seams, tmp_path):
    staging = _side(tmp_path, "dev-staging")
    before = _run(staging, "whoami")["pid"]
    server = _parent_of(before)
    assert server in forkserver.running()
    os.kill(server, signal.SIGKILL)
    deadline = time.monotonic() + 15
    while server in forkserver.running():  # running() reaps it once it has died
        assert time.monotonic() < deadline, "the fork server outlived SIGKILL"
        time.sleep(0.05)
    assert _run(staging, "whoami")["pid"] == before  # a forked worker does not need its server
    later = _run(_side(tmp_path, "production"), "whoami")["pid"]
    assert _parent_of(later) in forkserver.running() and _parent_of(later) != server


@pytest.mark.pipeline
def test_with_the_fork_server_off_a_worker_is_a_process_of_its_own(seams, tmp_path, monkeypatch):
    monkeypatch.setenv(forkserver.DISABLE_ENV_VAR, "1")
    pid = _run(_side(tmp_path), "whoami")["pid"]
    assert _parent_of(pid) == os.getpid()


@pytest.mark.pipeline
def test_a_worker_killed_mid_operation_is_reported_and_the_next_call_recovers(seams, tmp_path):
    production = _side(tmp_path)
    pause = tmp_path / "pause"
    outcome: dict = {}

    def holding() -> None:
        try:
            outcome["result"] = _run(production, "hold", pause_file=str(pause))
        except SideError as error:
            outcome["error"] = error

    thread = threading.Thread(target=holding)
    thread.start()
    deadline = time.monotonic() + 120
    while not (pause.exists() and pause.read_text()):
        assert time.monotonic() < deadline, "the worker never reached the operation"
        time.sleep(0.05)
    killed = int(pause.read_text())
    os.kill(killed, signal.SIGKILL)
    thread.join(timeout=60)

    error = outcome.get("error")
    assert isinstance(error, SideError), outcome
    assert error.kind == "WorkerCrashed"
    message = str(error)
    assert "production worker" in message and "during hold" in message
    assert "SIGKILL" in message and f"pid {killed}" in message
    assert f"holding in pid {killed}" in message  # the end of its stderr
    assert killed not in remote.running()

    again = _run(production, "whoami")
    assert again["pid"] != killed
    assert str(tmp_path / "production-store") in _run(production, "describe_store")["url"]


@pytest.mark.pipeline
def test_a_failed_operation_names_its_error_and_the_next_call_gets_a_fresh_worker(seams, tmp_path):
    production = _side(tmp_path)
    before = _run(production, "whoami")["pid"]
    with pytest.raises(SideError, match="production: no version 7 here") as raised:
        _run(production, "fail", message="no version 7 here")
    assert raised.value.kind == "LookupError"
    assert _gone(before)
    assert _run(production, "whoami")["pid"] != before


@pytest.mark.pipeline
def test_a_refusal_is_reported_and_keeps_its_worker(seams, tmp_path):
    production = _side(tmp_path)
    before = _run(production, "whoami")["pid"]
    with pytest.raises(SideError, match="production: v1 is not newer") as raised:
        _run(production, "refuse", message="v1 is not newer than v2")
    assert raised.value.kind == "StaleBundleError"
    assert _run(production, "whoami")["pid"] == before
    assert remote.running() == [before]


@pytest.mark.pipeline
def test_arguments_and_results_of_several_megabytes_travel_intact(seams, tmp_path):
    payload = base64.b64encode(os.urandom(3 * 1024 * 1024)).decode()
    answer = _run(_side(tmp_path), "echo", payload=payload)
    assert answer["length"] == len(payload) and answer["payload"] == payload


@pytest.mark.pipeline
def test_an_operation_over_its_timeout_is_stopped_and_reported(seams, tmp_path):
    production = _side(tmp_path)
    _run(production, "whoami")  # the worker is up: the timeout below is the operation's own
    started = time.monotonic()
    with pytest.raises(SideError, match="hold on production took over 2 s") as raised:
        remote.run_on(
            production, "hold", timeout=2, extra_env=SEAM_ENV, pause_file=str(tmp_path / "p")
        )
    assert raised.value.kind == "TimeoutExpired"
    assert time.monotonic() - started < 30
    assert remote.running() == []


@pytest.mark.pipeline
def test_workers_stop_when_their_parent_ends_without_cleaning_up(tmp_path):
    program = (
        "import os, sys\n"
        "from governance.release import remote\n"
        "from governance.release.endpoints import Endpoint\n"
        f"remote.start(Endpoint('production', {str(tmp_path / 'store')!r}))\n"
        "print(remote.running()[0], flush=True)\n"
        "os._exit(0)\n"  # no atexit: the worker must notice its stdin closing
    )
    parent = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120
    )
    assert parent.returncode == 0, parent.stderr
    assert _gone(int(parent.stdout.strip()), within=60)


@pytest.mark.unit
def test_an_unknown_operation_is_refused_before_any_worker_starts(tmp_path):
    with pytest.raises(ValueError, match="unknown operation 'promote_everything'"):
        remote.run_on(_side(tmp_path), "promote_everything")
    assert remote.running() == []


@pytest.mark.pipeline
def test_a_variable_a_library_sets_keeps_the_worker_a_kit_variable_replaces_it(
    seams, tmp_path, monkeypatch
):
    production = _side(tmp_path)
    first = _run(production, "whoami")["pid"]
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")  # ZenML sets this on first use
    assert _run(production, "whoami")["pid"] == first
    monkeypatch.setenv("KIT_POLICY_PATH", str(tmp_path / "policy.yaml"))
    assert _run(production, "whoami")["pid"] != first


@pytest.mark.pipeline
def test_a_kernel_asked_to_shut_down_ends_by_itself_and_stops_its_worker(tmp_path):
    """The kit's ``atexit`` stop runs: the kernel is not killed waiting on its idle worker.

    ipykernel signals the children in its process group at shutdown and waits for them to be
    gone; a worker in that group, killed but not yet reaped, would keep it waiting until its
    manager kills it (exit code -9), and the kit's own stop would never run.
    """
    from jupyter_client import KernelManager

    from lib.config import PROJECT_ROOT

    manager = KernelManager(kernel_name="python3", transport="ipc", ip=str(tmp_path / "k"))
    # jupyter_client terminates a kernel still running half its shutdown_wait_time (5 s) after
    # the shutdown request; a kernel stopping its worker can take longer than 2.5 s on a busy
    # machine. A kernel stuck waiting on its worker is still terminated, after 15 s.
    manager.shutdown_wait_time = 30.0
    manager.start_kernel(cwd=str(PROJECT_ROOT))
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        printed: list[str] = []
        reply = client.execute_interactive(
            "from governance.release import remote\n"
            "from governance.release.endpoints import Endpoint\n"
            f"side = Endpoint('production', {str(tmp_path / 'store')!r})\n"
            "remote.run_on(side, 'describe_store')\n"
            "print(remote.running()[0])",
            timeout=120,
            output_hook=lambda m: printed.append(m["content"].get("text", "")),
        )
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        client.stop_channels()
    worker = int("".join(printed).strip())
    kernel = manager.provisioner.process
    manager.shutdown_kernel(now=False)  # a shutdown request; SIGTERM after 15 s
    assert kernel.returncode == 0, f"the kernel was killed ({kernel.returncode}), not ended"
    assert _gone(worker, within=30)

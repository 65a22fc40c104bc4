"""scripts/reset_workshop.py: stops deployments, empties kit state, and refuses anything else."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from lib.config import PROJECT_ROOT
from workshop.reset import STATE_MARKER, ResetRefused, apply_reset, plan_reset

pytestmark = pytest.mark.pipeline  # runs the script and starts processes to stop

SCRIPT = PROJECT_ROOT / "scripts" / "reset_workshop.py"


def _script(state_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KIT_STATE_DIR": str(state_dir)}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=60
    )


def _state(tmp_path: Path) -> Path:
    """A kit state folder on another disk: marker, ZenML store, build output, server folder."""
    state = tmp_path / "state"
    (state / "zenml" / "dev-staging" / "local_stores").mkdir(parents=True)
    (state / "zenml" / "dev-staging" / "local_stores" / "zenml.db").write_text("db")
    (state / "build" / "notebooks").mkdir(parents=True)
    (state / "build" / "notebooks" / "01.html").write_text("<html>")
    (state / "servers" / "production").mkdir(parents=True)
    (state / "servers" / "production" / "zenml.db").write_text("db")
    (state / STATE_MARKER).write_text("")
    return state


def _sleeper(pid_file: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    time.sleep(0.2)
    pid_file.write_text(str(proc.pid))
    return proc


# Folders whose loss would hurt are only ever given --dry-run: the refusal comes first either way.
@pytest.mark.parametrize(
    ("target", "args"),
    [
        (lambda tmp: PROJECT_ROOT, ["--all", "--dry-run"]),
        (lambda tmp: PROJECT_ROOT / "notebooks", ["--all", "--dry-run"]),
        (lambda tmp: PROJECT_ROOT.parent, ["--all", "--dry-run"]),
        (lambda tmp: Path.home(), ["--all", "--dry-run"]),
        (lambda tmp: Path("/"), ["--all", "--dry-run"]),
        (lambda tmp: tmp, ["--all"]),  # outside the repository, no marker: a real run
    ],
    ids=["repo", "source-folder", "above-repo", "home", "root", "unmarked"],
)
def test_refuses_anything_but_kit_state_and_touches_nothing(tmp_path, target, args):
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me")
    folder = target(tmp_path)
    before = sorted(p.name for p in folder.iterdir())
    result = _script(folder, *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("refused:")
    assert sorted(p.name for p in folder.iterdir()) == before
    assert precious.read_text() == "keep me"


def test_a_symlinked_state_folder_is_refused(tmp_path):
    real = _state(tmp_path)
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    with pytest.raises(ResetRefused, match="symlink"):
        plan_reset(link)


def test_dry_run_lists_and_changes_nothing(tmp_path):
    state = _state(tmp_path)
    files = sorted(state.rglob("*"))
    result = _script(state, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "would remove zenml" in result.stdout
    assert "would remove build" in result.stdout
    assert "keep servers" in result.stdout
    assert sorted(state.rglob("*")) == files


def test_default_reset_stops_deployments_removes_store_and_build_keeps_servers(tmp_path):
    state = _state(tmp_path)
    deployment = _sleeper(state / "zenml" / "dev-staging" / "deployments" / "abc" / "daemon.pid")
    server = _sleeper(state / "servers" / "production" / "server.pid")
    try:
        lines = apply_reset(state)
        assert deployment.wait(timeout=15) is not None
        assert server.poll() is None, "a learner's reset must not stop a shared server"
        assert not (state / "zenml").exists() and not (state / "build").exists()
        assert (state / "servers" / "production" / "zenml.db").is_file()
        assert (state / STATE_MARKER).is_file()
        assert any(line.startswith("stop deployment") for line in lines)
    finally:
        for proc in (deployment, server):
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_all_stops_servers_and_empties_state_but_not_symlink_targets(tmp_path):
    state = _state(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "data.csv").write_text("a,b")
    (state / "build" / "linked").symlink_to(outside, target_is_directory=True)
    server = _sleeper(state / "servers" / "production" / "server.pid")
    try:
        result = _script(state, "--all")
        assert result.returncode == 0, result.stderr
        assert server.wait(timeout=15) is not None
        assert [p.name for p in state.iterdir()] == [STATE_MARKER]
        assert (outside / "data.csv").read_text() == "a,b"
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_a_reused_pid_is_never_stopped(tmp_path):
    state = _state(tmp_path)
    pid_file = state / "zenml" / "dev-staging" / "deployments" / "old" / "daemon.pid"
    pid_file.parent.mkdir(parents=True)
    pid_file.write_text(str(os.getpid()))  # this test process started long after...
    old = time.time() - 3600
    os.utime(pid_file, (old, old))  # ...a pid file written an hour ago
    assert not any(a.kind == "stop" for a in plan_reset(state))
    assert psutil.pid_exists(os.getpid())


def test_the_guide_and_the_tool_name_the_same_reset_flags():
    import re

    guide = (PROJECT_ROOT / "workshop" / "README.md").read_text()
    in_guide = set(re.findall(r"make reset-workshop ARGS=\"?([^`\"]+)", guide))
    flags = {flag for args in in_guide for flag in args.split() if flag.startswith("--")}
    assert "--cohort" in flags
    usage = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "reset_workshop.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert usage.returncode == 0
    for flag in flags:
        assert flag in usage.stdout, f"the guide offers {flag}, the tool does not know it"


def test_the_cohort_reset_touches_no_server_this_state_folder_did_not_start(tmp_path):
    import http.server
    import threading

    from governance.health import free_port

    requests_seen: list[str] = []

    class Foreign(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server hook name
            requests_seen.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    port = free_port()
    foreign = http.server.ThreadingHTTPServer(("127.0.0.1", port), Foreign)
    threading.Thread(target=foreign.serve_forever, daemon=True).start()
    state = _state(tmp_path)
    env = {**os.environ, "KIT_STATE_DIR": str(state)}
    env["KIT_DEV_STAGING_PORT"] = env["KIT_PRODUCTION_PORT"] = str(port)
    try:
        result = subprocess.run(
            [sys.executable, str(SCRIPT), "--cohort", "--dry-run"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        foreign.shutdown()
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("never started from") == 2, result.stdout
    assert requests_seen == []
